/*
 * cpi/check.c: `cpi check` (see check.h): the checks, the report and its
 * two formats.
 *
 * The vCenter part is four kinds of round trip: RetrieveServiceContent
 * and Login, one property-collector read of the whole inventory
 * (vs_inventory_read), one FetchUserPrivilegeOnEntities, and Logout.
 * Every lookup after the read is answered from it, as create_vm answers
 * its own.
 */
#include "cpi/check.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cpi/config.h"
#include "cpi/log.h"
#include "cpi/vcenter.h"
#include "vsphere/placement.h"
#include "vsphere/preflight.h"
#include "vsphere/vm.h"

#define VC "cloud.properties.vcenters[0]"
#define DCK VC ".datacenters[0]"
#define MAX_ENTITIES 256
#define MAX_LISTED 8

/* --- the report ----------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
cpi_check_add(struct cpi_check_report *r, enum cpi_check_status status,
              const char *check, const char *key, const char *fix,
              const char *fmt, ...)
{
	struct cpi_check_item *it;
	char msg[2048];
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 16 : r->cap * 2;
		struct cpi_check_item *v = realloc(r->items,
		                                   cap * sizeof(*v));

		if (v == NULL) {
			r->incomplete = true;
			return ERR_ENOMEM;
		}
		r->items = v;
		r->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	it = &r->items[r->n];
	memset(it, 0, sizeof(*it));
	it->status = status;
	it->check = strdup(check);
	it->key = dup_or_null(key);
	it->fix = dup_or_null(fix);
	it->message = strdup(msg);
	if (it->check == NULL || it->message == NULL ||
	    (key != NULL && it->key == NULL) ||
	    (fix != NULL && it->fix == NULL)) {
		free(it->check);
		free(it->key);
		free(it->fix);
		free(it->message);
		r->incomplete = true;
		return ERR_ENOMEM;
	}
	r->n++;
	return 0;
}

bool
cpi_check_failed(const struct cpi_check_report *r, size_t counts[3])
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < r->n; i++)
		counts[r->items[i].status]++;
	return counts[CPI_CHECK_ERROR] > 0 || r->incomplete;
}

void
cpi_check_report_clear(struct cpi_check_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].check);
		free(r->items[i].key);
		free(r->items[i].fix);
		free(r->items[i].message);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

const char *
cpi_check_status_name(enum cpi_check_status s)
{
	switch (s) {
	case CPI_CHECK_OK:
		return "ok";
	case CPI_CHECK_WARNING:
		return "warning";
	case CPI_CHECK_ERROR:
		return "error";
	}
	return "error";
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
cpi_check_report_json(const struct cpi_check_report *r)
{
	json_t *doc, *checks;
	size_t counts[3], i;
	bool failed = cpi_check_failed(r, counts);
	int rc = 0;

	doc = json_object();
	checks = json_array();
	if (doc == NULL || checks == NULL) {
		json_decref(doc);
		json_decref(checks);
		return NULL;
	}
	rc |= json_object_set_new(doc, "ok", json_boolean(!failed));
	rc |= json_object_set_new(doc, "summary",
	                          json_pack("{sIsIsI}",
	                          "ok", (json_int_t)counts[0],
	                          "warning", (json_int_t)counts[1],
	                          "error", (json_int_t)counts[2]));
	for (i = 0; i < r->n; i++) {
		const struct cpi_check_item *it = &r->items[i];
		json_t *o = json_object();

		if (o == NULL) {
			rc = -1;
			break;
		}
		rc |= json_object_set_new(o, "check", json_string(it->check));
		rc |= json_object_set_new(o, "status", json_string(
		                          cpi_check_status_name(it->status)));
		rc |= json_object_set_new(o, "key", str_or_null(it->key));
		rc |= json_object_set_new(o, "message",
		                          json_string(it->message));
		rc |= json_object_set_new(o, "fix", str_or_null(it->fix));
		rc |= json_array_append_new(checks, o);
	}
	rc |= json_object_set_new(doc, "checks", checks);
	rc |= json_object_set_new(doc, "roundtrips", r->has_roundtrips ?
	                          json_integer(r->roundtrips) : json_null());
	if (r->incomplete)
		rc |= json_object_set_new(doc, "incomplete", json_true());
	if (rc != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int
cpi_check_report_text(FILE *f, const struct cpi_check_report *r)
{
	static const char *const tag[] = { "ok", "WARNING", "ERROR" };
	size_t counts[3], i;
	bool failed = cpi_check_failed(r, counts);

	for (i = 0; i < r->n; i++) {
		const struct cpi_check_item *it = &r->items[i];

		fprintf(f, "%-8s %s: %s\n", tag[it->status], it->check,
		        it->message);
		if (it->key != NULL)
			fprintf(f, "%-8s key: %s\n", "", it->key);
		if (it->fix != NULL)
			fprintf(f, "%-8s fix: %s\n", "", it->fix);
	}
	if (r->incomplete)
		fputs("ERROR    the report is incomplete: out of memory\n", f);
	fprintf(f, "\n%zu ok, %zu warning(s), %zu error(s)", counts[0],
	        counts[1], counts[2]);
	if (r->has_roundtrips)
		fprintf(f, "; %u vCenter round trip(s)", r->roundtrips);
	fprintf(f, "\n%s\n", failed ? "Some checks failed: fix the errors "
	        "above before deploying." : "Nothing here will stop a "
	        "deploy.");
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}

/* --- the privileges this CPI's calls need --------------------------- */

enum {
	ON_DC = 1,          /* the datacenter */
	ON_FOLDER = 2,      /* vm_folder / template_folder (or the deepest
	                       existing part of them) */
	ON_POOL = 4,        /* each cluster's resource pool */
	ON_DS = 8,          /* each datastore a pattern matches */
	ON_NET = 16,        /* each port group of NETWORKS.json */
};

/* Keep in step with README "Preflight: cpi check" (privileges). */
static const struct {
	const char *priv;
	unsigned on;
} needed[] = {
	{ "Global.ManageCustomFields", ON_DC },
	{ "Datastore.FileManagement", ON_DC | ON_DS },
	{ "Folder.Create", ON_FOLDER },
	{ "VirtualMachine.Inventory.Create", ON_FOLDER | ON_POOL },
	{ "VirtualMachine.Inventory.CreateFromExisting", ON_FOLDER | ON_POOL },
	{ "VirtualMachine.Inventory.Delete", ON_FOLDER },
	{ "VirtualMachine.Provisioning.Clone", ON_FOLDER },
	{ "VirtualMachine.Provisioning.DeployTemplate", ON_FOLDER },
	{ "VirtualMachine.State.CreateSnapshot", ON_FOLDER },
	{ "VirtualMachine.Config.AddNewDisk", ON_FOLDER },
	{ "VirtualMachine.Config.AddExistingDisk", ON_FOLDER },
	{ "VirtualMachine.Config.RemoveDisk", ON_FOLDER },
	{ "VirtualMachine.Config.AddRemoveDevice", ON_FOLDER },
	{ "VirtualMachine.Config.EditDevice", ON_FOLDER },
	{ "VirtualMachine.Config.AdvancedConfig", ON_FOLDER },
	{ "VirtualMachine.Config.Resource", ON_FOLDER },
	{ "VirtualMachine.Config.Settings", ON_FOLDER },
	{ "VirtualMachine.Config.DiskExtend", ON_FOLDER },
	{ "VirtualMachine.Interact.PowerOn", ON_FOLDER },
	{ "VirtualMachine.Interact.PowerOff", ON_FOLDER },
	{ "VirtualMachine.Interact.Reset", ON_FOLDER },
	{ "Global.SetCustomField", ON_FOLDER },
	{ "VApp.Import", ON_FOLDER | ON_POOL },
	{ "Resource.AssignVMToPool", ON_POOL },
	{ "Datastore.AllocateSpace", ON_DS },
	{ "Datastore.Browse", ON_DS },
	{ "Network.Assign", ON_NET },
};

/* One entity whose privileges are checked. */
struct ent {
	struct vs_moref ref;
	unsigned on;
	char what[160];         /* "datastore 'LocalDS_0'" */
	char key[256];          /* config key */
};

struct ents {
	struct ent v[MAX_ENTITIES];
	size_t n;
};

static void
ent_add(struct ents *e, const struct vs_moref *ref, unsigned on,
        const char *key, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (strcmp(e->v[i].ref.value, ref->value) == 0 &&
		    strcmp(e->v[i].ref.type, ref->type) == 0) {
			e->v[i].on |= on;
			return;
		}
	}
	if (e->n == MAX_ENTITIES)
		return;
	e->v[e->n].ref = *ref;
	e->v[e->n].on = on;
	snprintf(e->v[e->n].key, sizeof(e->v[e->n].key), "%s", key);
	snprintf(e->v[e->n].what, sizeof(e->v[e->n].what), "%s '%s'", kind,
	         name);
	e->n++;
}

/* --- the checks ----------------------------------------------------- */

/* What one run knows; every pointer is borrowed or owned as noted. */
struct run {
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
	struct ents ents;
	/* NETWORKS.json: port group names and their BOSH network (owned) */
	char **pg_names;
	char **pg_owners;
	size_t npgs;
};

static void
add_vs_error(struct run *x, enum cpi_check_status st, const char *check,
             const char *key, const char *fix, const struct err *e)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "%.1023s%s%s", e->message,
	         e->fault[0] != '\0' && strstr(e->message, e->fault) == NULL ?
	         " " : "", e->fault[0] != '\0' &&
	         strstr(e->message, e->fault) == NULL ? e->fault : "");
	cpi_log_redact(x->log, msg, sizeof(msg));
	cpi_check_add(x->r, st, check, key, fix, "%s", msg);
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
check_agent(struct run *x)
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

/* Replaying recorded fixtures: no name to resolve, no real server. */
static bool
replaying(const struct run *x)
{
	const char *env = getenv("VSPHERE_CPI_FIXTURES");

	if (x->opts != NULL && x->opts->record_dir != NULL)
		return false;
	return (x->opts != NULL && x->opts->replay_dir != NULL) ||
	       (env != NULL && strncmp(env, "replay:", 7) == 0);
}

/* An https proxy in the environment (curl then resolves nothing
 * itself for vCenter unless no_proxy names it). */
static bool
proxied(void)
{
	const char *a = getenv("https_proxy"), *b = getenv("HTTPS_PROXY");

	return (a != NULL && a[0] != '\0') || (b != NULL && b[0] != '\0');
}

/* Address family and port; false when the name does not resolve. */
static bool
check_address(struct run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;
	struct addrinfo hints, *res = NULL, *a;
	char port[16];
	int n4 = 0, n6 = 0, rc;

	if (replaying(x)) {
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.address",
		              VC ".host", NULL,
		              "%s port %d: name not resolved, recorded "
		              "fixtures answer for vCenter", vc->host,
		              vc->port);
		return true;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", vc->port);
	rc = getaddrinfo(vc->host, port, &hints, &res);
	if (rc != 0 && proxied()) {
		cpi_check_add(x->r, CPI_CHECK_WARNING, "vcenter.address",
		              VC ".host", "check the name (job property "
		              "vcenter.address) if the proxy cannot reach it",
		              "%s does not resolve here (%s); an https proxy is "
		              "set, which may resolve it", vc->host,
		              gai_strerror(rc));
		return true;
	}
	if (rc != 0) {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "vcenter.address",
		              VC ".host",
		              "check the name (job property vcenter.address) "
		              "and this machine's DNS resolver",
		              "%s does not resolve: %s", vc->host,
		              gai_strerror(rc));
		return false;
	}
	for (a = res; a != NULL; a = a->ai_next) {
		if (a->ai_family == AF_INET)
			n4++;
		else if (a->ai_family == AF_INET6)
			n6++;
	}
	freeaddrinfo(res);
	cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.address", VC ".host",
	              NULL, "%s port %d resolves to %d IPv4 and %d IPv6 "
	              "address(es)", vc->host, vc->port, n4, n6);
	return true;
}

static const char tls_fix[] =
	"give the vCenter's CA certificate (PEM) as "
	"connection_options.ca_cert (job property "
	"vcenter.connection_options.ca_cert), or set "
	"connection_options.insecure: true to skip verification";

/* After a connection that got past TLS: where it went and what
 * verified the certificate. */
static void
report_reachable_tls(struct run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;

	if (replaying(x)) {
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.reachable",
		              VC ".host", NULL, "recorded fixtures answer for "
		              "%s", vc->url);
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.tls",
		              VC ".connection_options.ca_cert", NULL,
		              "not checked: no connection is made when "
		              "replaying fixtures");
		return;
	}
	cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.reachable", VC ".host",
	              NULL, "%s answers at %s", vc->host, vc->url);
	if (strcmp(vc->scheme, "https") != 0)
		cpi_check_add(x->r, CPI_CHECK_WARNING, "vcenter.tls",
		              VC ".host", "use an https:// address",
		              "plain http: nothing is encrypted or verified");
	else if (vc->insecure)
		cpi_check_add(x->r, CPI_CHECK_WARNING, "vcenter.tls",
		              VC ".connection_options.insecure",
		              "give the vCenter's CA certificate as "
		              "connection_options.ca_cert (job property "
		              "vcenter.connection_options.ca_cert) and drop "
		              "insecure",
		              "the certificate is NOT verified "
		              "(connection_options.insecure: true)");
	else if (vc->ca_cert != NULL)
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.tls",
		              VC ".connection_options.ca_cert", NULL,
		              "certificate verified against "
		              "connection_options.ca_cert");
	else
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.tls",
		              VC ".connection_options.ca_cert", NULL,
		              "certificate verified against the system trust "
		              "store");
}

/* Connects; reports reachability, TLS, login and the API version. */
static bool
check_connect(struct run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;
	struct err cerr = {0};
	struct cpi_call call = {0};
	struct err e = {0};
	const char *api, *type;
	int rc;

	call.method = "check";
	call.config = x->cfg;
	call.opts = x->opts;
	call.log = x->log;
	call.err = &cerr;
	/* No retries: the report says what one attempt sees, at once. */
	rc = cpi_vcenter_connect(&x->c, &call, false, &e);
	if (rc < 0 && (e.code == ERR_ENET || e.code == ERR_ETIMEOUT ||
	               e.code == ERR_EINVAL)) {
		add_vs_error(x, CPI_CHECK_ERROR, "vcenter.reachable",
		             VC ".host",
		             "check host and port (job property "
		             "vcenter.address), firewalls, and the proxy "
		             "(https_proxy / no_proxy; job properties env.*)",
		             &e);
		return false;
	}
	if (rc < 0 && e.code == ERR_ETLS) {
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.reachable",
		              VC ".host", NULL, "%s port %d answers", vc->host,
		              vc->port);
		add_vs_error(x, CPI_CHECK_ERROR, "vcenter.tls",
		             VC ".connection_options.ca_cert", tls_fix, &e);
		return false;
	}
	report_reachable_tls(x);
	if (rc < 0 && strcmp(e.fault, "InvalidLogin") == 0) {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "vcenter.login",
		              VC ".user",
		              "check user and password (job properties "
		              "vcenter.user, vcenter.password)",
		              "vCenter refused the login of user '%s' "
		              "(InvalidLogin)", vc->user);
		return false;
	}
	if (rc < 0) {
		add_vs_error(x, CPI_CHECK_ERROR, "vcenter.login", VC ".host",
		             "check that the address is a vCenter's (the "
		             "SDK answers at /sdk)", &e);
		return false;
	}
	cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.login", VC ".user", NULL,
	              "logged in as '%s'", vc->user);
	api = vs_client_api_version(x->c);
	type = vs_client_api_type(x->c);
	if (strcmp(type, "HostAgent") == 0)
		cpi_check_add(x->r, CPI_CHECK_ERROR, "vcenter.api",
		              VC ".host", "give the vCenter's address, not an "
		              "ESXi host's",
		              "the server is an ESXi host (apiType HostAgent, "
		              "API %s)", api);
	else if (strtol(api, NULL, 10) < 6 ||
	         (strtol(api, NULL, 10) == 6 && strncmp(api, "6.0", 3) == 0))
		cpi_check_add(x->r, CPI_CHECK_WARNING, "vcenter.api",
		              VC ".host", "upgrade vCenter to 6.5 or newer",
		              "API version %s: this CPI is tested against 6.5 "
		              "and newer", api[0] != '\0' ? api : "unknown");
	else
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.api", VC ".host",
		              NULL, "%s, API version %s",
		              type[0] != '\0' ? type : "vCenter", api);
	return true;
}

static void
check_folder(struct run *x, const char *check, const char *key,
             const char *folder)
{
	char *rel = NULL;
	struct err e = {0};
	struct vs_moref deepest;
	size_t found = 0, total = 0;
	const char *sub = x->cfg->vcenter.datacenter.use_sub_folder ?
	                  " (use_sub_folder: a sub folder named after the "
	                  "Director's uuid is created in it)" : "";

	if (vs_folder_rel_path(&rel, folder, NULL, &e) < 0 ||
	    vs_inventory_vm_folder(&found, &total, &deepest, x->inv, &x->dc,
	                           rel, &e) < 0) {
		add_vs_error(x, CPI_CHECK_ERROR, check, key,
		             "give a folder path below the datacenter's VM "
		             "folder, components separated by '/'", &e);
		free(rel);
		return;
	}
	if (found == total)
		cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
		              "folder '%s/vm/%s' exists%s", x->dc_path, rel,
		              sub);
	else
		cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
		              "folder '%s/vm/%s' does not exist yet (%zu of "
		              "%zu part(s) missing): the CPI creates it "
		              "(Folder.Create, checked below)%s", x->dc_path,
		              rel, total - found, total, sub);
	/* Privileges count where the CPI acts: the deepest existing part. */
	{
		char where[512];
		size_t i, k = 0, len;

		len = (size_t)snprintf(where, sizeof(where), "%s/vm",
		                       x->dc_path);
		for (i = 0; rel[i] != '\0' && k < found &&
		     len + 1 < sizeof(where); i++) {
			if (i == 0 || rel[i - 1] == '/')
				where[len++] = '/';
			if (rel[i] == '/') {
				k++;
				continue;
			}
			where[len++] = rel[i];
		}
		where[len < sizeof(where) ? len : sizeof(where) - 1] = '\0';
		ent_add(&x->ents, &deepest, ON_FOLDER, key, "folder", where);
	}
	free(rel);
}

static void
check_clusters(struct run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	char key[128];
	size_t i;

	for (i = 0; i < dc->nclusters; i++) {
		const struct cpi_cluster *cl = &dc->clusters[i];
		struct vs_inv_cluster *ic = &x->clusters[i];
		struct err e = {0};
		struct vs_moref pool;
		bool need_drs = cl->host_group != NULL;

		snprintf(key, sizeof(key), DCK ".clusters[%zu]", i);
		if (vs_inventory_cluster(ic, x->inv, &x->dc, cl->name,
		                         cl->host_group, &e) < 0) {
			add_vs_error(x, CPI_CHECK_ERROR, "cluster", key,
			             "name an existing cluster of the "
			             "datacenter (job property "
			             "vcenter.datacenters[0].clusters)", &e);
			continue;
		}
		x->cluster_found[i] = true;
		cpi_check_add(x->r, ic->nhosts > 0 ? CPI_CHECK_OK :
		              CPI_CHECK_WARNING, "cluster", key,
		              ic->nhosts > 0 ? NULL : "add hosts to the "
		              "cluster", "cluster '%s': %zu host(s), DRS %s",
		              cl->name, ic->nhosts, ic->drs == 1 ? "on" :
		              ic->drs == 0 ? "off" : "unknown");
		err_clear(&e);
		if (vs_inventory_pool(&pool, x->inv, &ic->ref,
		                      cl->resource_pool, &e) < 0) {
			add_vs_error(x, CPI_CHECK_ERROR, "resource_pool", key,
			             "name an existing resource pool of the "
			             "cluster (clusters: [{CLUSTER: "
			             "{resource_pool: POOL}}])", &e);
		} else {
			if (cl->resource_pool != NULL)
				cpi_check_add(x->r, CPI_CHECK_OK,
				              "resource_pool", key, NULL,
				              "resource pool '%s' found in "
				              "cluster '%s'", cl->resource_pool,
				              cl->name);
			ent_add(&x->ents, &pool, ON_POOL, key,
			        "resource pool of cluster", cl->name);
		}
		if (cl->host_group != NULL)
			cpi_check_add(x->r, ic->host_group_found ?
			              CPI_CHECK_OK : CPI_CHECK_ERROR,
			              "host_group", key,
			              ic->host_group_found ? NULL :
			              "create the host group in the cluster, or "
			              "fix its name",
			              "host group '%s' %s in cluster '%s'",
			              cl->host_group, ic->host_group_found ?
			              "found" : "not found", cl->name);
		if (x->cfg->vcenter.enable_auto_anti_affinity_drs_rules)
			need_drs = true;
		/* A warning: vCenter takes rules in a cluster with DRS off,
		 * they only have no effect there. */
		if (need_drs && ic->drs != 1)
			cpi_check_add(x->r, CPI_CHECK_WARNING, "drs", key,
			              "enable DRS on the cluster, or drop "
			              "host_group / enable_auto_anti_affinity_"
			              "drs_rules",
			              "cluster '%s': DRS is %s, but the config "
			              "asks for DRS rules (without effect while "
			              "DRS is off)", cl->name,
			              ic->drs == 0 ? "off" : "unknown");
	}
}

/* One datastore (or datastore cluster) pattern. */
static void
check_pattern(struct run *x, const char *check, const char *key,
              const char *pattern, bool pods)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	struct vs_inv_datastores *l = NULL;
	struct err e = {0};
	char list[1024], fix[256];
	size_t i, j, len = 0, nusable = 0;

	if (vs_inventory_datastores(&l, x->inv, &x->dc, pattern, pods,
	                            &e) < 0) {
		add_vs_error(x, CPI_CHECK_ERROR, check, key,
		             "give a POSIX extended regular expression", &e);
		return;
	}
	if (l->n == 0) {
		snprintf(fix, sizeof(fix), "change the pattern to match %s "
		         "of datacenter '%s'", pods ? "a datastore cluster "
		         "(with datastores)" : "datastores", x->dc_path);
		cpi_check_add(x->r, CPI_CHECK_ERROR, check, key, fix,
		              "pattern '%s' matches no %s", pattern,
		              pods ? "datastore cluster with datastores" :
		              "datastore");
		vs_inv_datastores_free(l);
		return;
	}
	list[0] = '\0';
	for (i = 0; i < l->n; i++) {
		const struct vs_inv_datastore *d = &l->items[i];
		int w;

		if (d->usable)
			nusable++;
		ent_add(&x->ents, &d->ref, ON_DS, key, "datastore",
		        d->name);
		if (i >= MAX_LISTED)
			continue;
		w = snprintf(list + len, sizeof(list) - len,
		             "%s%s%s%s (%lld of %lld GB free%s)",
		             i > 0 ? ", " : "", d->pod != NULL && pods ?
		             d->pod : "", d->pod != NULL && pods ? "/" : "",
		             d->name, d->free_mb >= 0 ? d->free_mb / 1024 : 0,
		             d->capacity_mb >= 0 ? d->capacity_mb / 1024 : 0,
		             d->usable ? "" : ", NOT usable");
		if (w > 0 && (size_t)w < sizeof(list) - len)
			len += (size_t)w;
	}
	cpi_check_add(x->r, nusable > 0 ? CPI_CHECK_OK : CPI_CHECK_ERROR,
	              check, key, nusable > 0 ? NULL : "bring a matching "
	              "datastore out of maintenance or make it accessible",
	              "pattern '%s' matches %zu datastore(s)%s: %s%s",
	              pattern, l->n, pods ? " in datastore clusters" : "",
	              list, l->n > MAX_LISTED ? ", …" : "");
	/* Every cluster must see a match, on every host. */
	for (j = 0; j < dc->nclusters; j++) {
		size_t nattached = 0, npartial = 0;
		char partial[512];
		size_t plen = 0;

		if (!x->cluster_found[j])
			continue;
		partial[0] = '\0';
		for (i = 0; i < l->n; i++) {
			size_t seen = 0, total = 0;
			bool attached = false;
			int w;

			err_clear(&e);
			if (vs_inventory_ds_seen(&seen, &total, &attached,
			                         x->inv, &x->clusters[j].ref,
			                         &l->items[i].ref, &e) < 0 ||
			    !attached)
				continue;
			nattached++;
			if (seen == total)
				continue;
			npartial++;
			w = snprintf(partial + plen, sizeof(partial) - plen,
			             "%s%s (%zu of %zu hosts)",
			             npartial > 1 ? ", " : "",
			             l->items[i].name, seen, total);
			if (w > 0 && (size_t)w < sizeof(partial) - plen)
				plen += (size_t)w;
		}
		if (nattached == 0)
			cpi_check_add(x->r, CPI_CHECK_ERROR, check, key,
			              "mount a matching datastore on the "
			              "cluster's hosts, or change the pattern",
			              "cluster '%s' sees none of the datastores "
			              "matching '%s'", dc->clusters[j].name,
			              pattern);
		else if (npartial > 0)
			cpi_check_add(x->r, CPI_CHECK_WARNING, check, key,
			              "mount the datastores on every host of "
			              "the cluster (vMotion and DRS need it)",
			              "cluster '%s': not every host sees %s",
			              dc->clusters[j].name, partial);
		else
			cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
			              "cluster '%s': every host sees the %zu "
			              "matching datastore(s) it has",
			              dc->clusters[j].name, nattached);
	}
	vs_inv_datastores_free(l);
}

static void
check_datastores(struct run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;

	if (dc->datastore_pattern != NULL)
		check_pattern(x, "datastore_pattern", DCK ".datastore_pattern",
		              dc->datastore_pattern, false);
	if (dc->persistent_datastore_pattern != NULL)
		check_pattern(x, "persistent_datastore_pattern",
		              DCK ".persistent_datastore_pattern",
		              dc->persistent_datastore_pattern, false);
	if (dc->datastore_cluster_pattern != NULL)
		check_pattern(x, "datastore_cluster_pattern",
		              DCK ".datastore_cluster_pattern",
		              dc->datastore_cluster_pattern, true);
	if (dc->persistent_datastore_cluster_pattern != NULL)
		check_pattern(x, "persistent_datastore_cluster_pattern",
		              DCK ".persistent_datastore_cluster_pattern",
		              dc->persistent_datastore_cluster_pattern, true);
	cpi_check_add(x->r, CPI_CHECK_OK, "disk_path", DCK ".disk_path",
	              NULL, "persistent disks go to '%s/' on the chosen "
	              "datastore; create_disk makes the directory when "
	              "missing (Datastore.FileManagement, checked below)",
	              dc->disk_path);
	if (x->cfg->vcenter.vm_storage_policy_name != NULL)
		cpi_check_add(x->r, CPI_CHECK_WARNING, "storage_policy",
		              VC ".vm_storage_policy_name",
		              "check the policy name in vCenter by hand",
		              "storage policy '%s' not checked: this CPI does "
		              "not read storage policies (SPBM) yet and does "
		              "not apply the policy",
		              x->cfg->vcenter.vm_storage_policy_name);
}

static void
check_networks(struct run *x)
{
	size_t i;

	for (i = 0; i < x->npgs; i++) {
		struct vs_port_group pg;
		struct err e = {0};
		char key[256];

		snprintf(key, sizeof(key), "NETWORKS.json %.200s",
		         x->pg_owners[i]);
		if (vs_inventory_port_group(&pg, x->inv, &x->dc,
		                            x->pg_names[i], x->pg_owners[i],
		                            &e) < 0) {
			add_vs_error(x, CPI_CHECK_ERROR, "port_group", key,
			             e.code == ERR_EINVAL ? "name it as "
			             "SWITCH/PORTGROUP or FOLDER/PORTGROUP in "
			             "cloud_properties.name" : "name an existing "
			             "port group of the datacenter in "
			             "cloud_properties.name", &e);
			vs_port_group_clear(&pg);
			continue;
		}
		cpi_check_add(x->r, CPI_CHECK_OK, "port_group", key, NULL,
		              "port group '%s' found: %s", x->pg_names[i],
		              pg.kind == VS_PG_DISTRIBUTED ? "distributed" :
		              "standard");
		ent_add(&x->ents, &pg.network, ON_NET, key, "port group",
		        x->pg_names[i]);
		vs_port_group_clear(&pg);
	}
}

static void
check_privileges(struct run *x)
{
	struct vs_moref refs[MAX_ENTITIES];
	struct vs_privileges *p = NULL;
	struct err e = {0};
	size_t i, j;

	for (i = 0; i < x->ents.n; i++)
		refs[i] = x->ents.v[i].ref;
	if (x->ents.n == 0)
		return;
	if (vs_privileges_fetch(&p, x->c, refs, x->ents.n,
	                        x->cfg->vcenter.user, &e) < 0) {
		add_vs_error(x, CPI_CHECK_WARNING, "privileges", VC ".user",
		             "compare the user's role with the privilege list "
		             "in the README by hand", &e);
		return;
	}
	for (i = 0; i < x->ents.n; i++) {
		const struct ent *en = &x->ents.v[i];
		char missing[1024];
		size_t len = 0, nmissing = 0, nneeded = 0;

		missing[0] = '\0';
		for (j = 0; j < sizeof(needed) / sizeof(needed[0]); j++) {
			int w;

			if ((needed[j].on & en->on) == 0)
				continue;
			nneeded++;
			if (vs_privileges_has(p, &en->ref, needed[j].priv))
				continue;
			nmissing++;
			w = snprintf(missing + len, sizeof(missing) - len,
			             "%s%s", nmissing > 1 ? ", " : "",
			             needed[j].priv);
			if (w > 0 && (size_t)w < sizeof(missing) - len)
				len += (size_t)w;
		}
		if (nmissing == 0)
			cpi_check_add(x->r, CPI_CHECK_OK, "privileges",
			              en->key, NULL, "%s: the user holds the "
			              "%zu privilege(s) the CPI needs there",
			              en->what, nneeded);
		else
			cpi_check_add(x->r, CPI_CHECK_ERROR, "privileges",
			              en->key, "grant the user (" VC ".user) a "
			              "role with these privileges on the object "
			              "(README lists them all)",
			              "%s: the user lacks %zu of %zu "
			              "privilege(s): %s", en->what, nmissing,
			              nneeded, missing);
	}
	vs_privileges_free(p);
}

static void
check_inventory(struct run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	struct vs_moref vm_folder;
	struct err e = {0};

	if (vs_inventory_read(&x->inv, x->c, &e) < 0) {
		add_vs_error(x, CPI_CHECK_ERROR, "inventory", VC ".user",
		             "the user needs read access (System.View, "
		             "System.Read) on the inventory", &e);
		return;
	}
	if (vs_inventory_datacenter(&x->dc, &x->dc_path, &vm_folder, x->inv,
	                            dc->name, &e) < 0) {
		add_vs_error(x, CPI_CHECK_ERROR, "datacenter", DCK ".name",
		             "name an existing datacenter (job property "
		             "vcenter.datacenters[0].name)", &e);
		return;
	}
	x->have_dc = true;
	cpi_check_add(x->r, CPI_CHECK_OK, "datacenter", DCK ".name", NULL,
	              "datacenter '%s' found", x->dc_path);
	ent_add(&x->ents, &x->dc, ON_DC, DCK ".name", "datacenter",
	        x->dc_path);
	check_folder(x, "vm_folder", DCK ".vm_folder", dc->vm_folder);
	check_folder(x, "template_folder", DCK ".template_folder",
	             dc->template_folder);
	check_clusters(x);
	check_datastores(x);
	check_networks(x);
	check_privileges(x);
}

/* --- NETWORKS.json --------------------------------------------------- */

static int
pg_add(struct run *x, const char *name, const char *owner)
{
	char **n = realloc(x->pg_names, (x->npgs + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	x->pg_names = n;
	n = realloc(x->pg_owners, (x->npgs + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	x->pg_owners = n;
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

/* A create_vm networks hash ({"NET":{"type","cloud_properties":{"name"}}})
 * or a list of port group names.  false when the file is unusable. */
static bool
load_networks(struct run *x, const char *path)
{
	static const char fix[] = "give a create_vm networks hash "
	                          "{\"NET\":{\"cloud_properties\":{\"name\":"
	                          "\"PORTGROUP\"}}} or a list of port group "
	                          "names";
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const char *k;
	json_t *v;
	size_t i;
	char owner[64];
	bool ok = true;

	if (doc == NULL) {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "networks", "NETWORKS.json",
		              fix, "cannot read it: line %d: %.200s", jerr.line,
		              jerr.text);
		return false;
	}
	if (json_is_array(doc)) {
		json_array_foreach(doc, i, v) {
			snprintf(owner, sizeof(owner), "[%zu]", i);
			if (!json_is_string(v)) {
				cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
				              "NETWORKS.json", fix, "entry %s is "
				              "not a string", owner);
				ok = false;
			} else if (pg_add(x, json_string_value(v), owner) < 0) {
				x->r->incomplete = true;
			}
		}
	} else if (json_is_object(doc)) {
		json_object_foreach(doc, k, v) {
			json_t *cp = json_object_get(v, "cloud_properties");
			json_t *name = json_object_get(cp, "name");
			json_t *type = json_object_get(v, "type");

			if (json_is_string(type) &&
			    strcmp(json_string_value(type), "vip") == 0)
				continue;
			if (!json_is_string(name)) {
				cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
				              "NETWORKS.json", fix, "network "
				              "'%.64s': cloud_properties.name is "
				              "not a string", k);
				ok = false;
			} else if (pg_add(x, json_string_value(name), k) < 0) {
				x->r->incomplete = true;
			}
		}
	} else {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "networks", "NETWORKS.json",
		              fix, "neither an object nor a list");
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

void
cpi_check_run(struct cpi_check_report *r, const struct cpi_options *opts,
              const char *networks_path, struct cpi_log *log)
{
	struct run x;
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
	if (check_address(&x) && check_connect(&x))
		check_inventory(&x);
	if (x.c != NULL) {
		struct err e = {0};

		/* Logs out; a failure here is worth a line, not an error. */
		if (vs_client_close(x.c, &e) < 0)
			add_vs_error(&x, CPI_CHECK_WARNING, "vcenter.logout",
			             VC ".host", NULL, &e);
		r->has_roundtrips = true;
		r->roundtrips = vs_client_roundtrips(x.c);
		cpi_log_info(log, "check: %u vCenter round trips",
		             r->roundtrips);
		vs_client_free(x.c);
	}
cleanup:
	redact_all(r, log);
	vs_inventory_free(x.inv);
	free(x.dc_path);
	free(x.clusters);
	free(x.cluster_found);
	for (i = 0; i < x.npgs; i++) {
		free(x.pg_names[i]);
		free(x.pg_owners[i]);
	}
	free(x.pg_names);
	free(x.pg_owners);
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

int
cpi_check_main(int argc, char **argv)
{
	struct cpi_options opts = { NULL, NULL, NULL };
	struct cpi_check_report r;
	const char *networks = NULL;
	struct cpi_log *log = NULL;
	struct err err = {0};
	size_t counts[3];
	bool json = false, failed;
	int i, status;

	memset(&r, 0, sizeof(r));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return fflush(stdout) != 0 ? 1 : 0;
		} else if (strcmp(a, "--replay") == 0 ||
		           strcmp(a, "--record") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				fprintf(stderr, "cpi check: %s needs a "
				        "directory\n", a);
				usage(stderr);
				return 2;
			}
			if (strcmp(a, "--replay") == 0)
				opts.replay_dir = argv[++i];
			else
				opts.record_dir = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "cpi check: unknown option %.64s\n", a);
			usage(stderr);
			return 2;
		} else if (opts.config_path == NULL) {
			opts.config_path = a;
		} else if (networks == NULL) {
			networks = a;
		} else {
			fputs("cpi check: too many arguments\n", stderr);
			usage(stderr);
			return 2;
		}
	}
	if (opts.config_path == NULL) {
		fputs("cpi check: missing CONFIG.json\n", stderr);
		usage(stderr);
		return 2;
	}
	if (opts.replay_dir != NULL && opts.record_dir != NULL) {
		fputs("cpi check: --replay and --record exclude each other\n",
		      stderr);
		usage(stderr);
		return 2;
	}
	/* Only warnings and errors of the layers below reach stderr: the
	 * report is the output. */
	if (cpi_log_new(&log, stderr, CPI_LOG_WARN, &err) < 0) {
		fprintf(stderr, "cpi check: %s\n", err.message);
		return 1;
	}
	cpi_log_set_tag(log, "check");
	cpi_check_run(&r, &opts, networks, log);
	failed = cpi_check_failed(&r, counts);
	status = failed ? 1 : 0;
	if (json) {
		json_t *doc = cpi_check_report_json(&r);

		if (doc == NULL ||
		    json_dumpf(doc, stdout, JSON_INDENT(2) |
		               JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', stdout) == EOF || fflush(stdout) != 0)
			status = 1;
		json_decref(doc);
	} else if (cpi_check_report_text(stdout, &r) < 0) {
		status = 1;
	}
	cpi_check_report_clear(&r);
	cpi_log_free(log);
	return status;
}
