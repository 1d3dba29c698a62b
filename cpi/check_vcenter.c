/*
 * cpi/check_vcenter.c: the preflight's vCenter connection: the address
 * resolves, the server answers, TLS verifies, the login works and the
 * API version is one this CPI knows.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cpi/check_run.h"
#include "cpi/vcenter.h"

#define VC CPI_CHECK_VC
#define DCK CPI_CHECK_DC

/* An https proxy in the environment (curl then resolves nothing
 * itself for vCenter unless no_proxy names it). */
static bool
proxied(void)
{
	const char *a = getenv("https_proxy"), *b = getenv("HTTPS_PROXY");

	return (a != NULL && a[0] != '\0') || (b != NULL && b[0] != '\0');
}

/* Address family and port; false when the name does not resolve. */
bool
cpi_check__address(struct cpi_check_run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;
	struct addrinfo hints, *res = NULL, *a;
	char port[16];
	int n4 = 0, n6 = 0, rc;

	if (cpi_check__replaying(x)) {
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
report_reachable_tls(struct cpi_check_run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;

	if (cpi_check__replaying(x)) {
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

/* The server's type and API version: a vCenter this CPI knows. */
static void
report_api(struct cpi_check_run *x)
{
	const char *api, *type;

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
}

/* Connects; reports reachability, TLS, login and the API version. */
bool
cpi_check__connect(struct cpi_check_run *x)
{
	const struct cpi_vcenter *vc = &x->cfg->vcenter;
	struct err cerr = {0};
	struct cpi_call call = {0};
	struct err e = {0};
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
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "vcenter.reachable",
		                    VC ".host",
		                    "check host and port (job property "
		                    "vcenter.address), firewalls, and the "
		                    "proxy (https_proxy / no_proxy; job "
		                    "properties env.*)", &e);
		return false;
	}
	if (rc < 0 && e.code == ERR_ETLS) {
		cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.reachable",
		              VC ".host", NULL, "%s port %d answers", vc->host,
		              vc->port);
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "vcenter.tls",
		                    VC ".connection_options.ca_cert", tls_fix,
		                    &e);
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
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "vcenter.login",
		                    VC ".host", "check that the address is a "
		                    "vCenter's (the SDK answers at /sdk)", &e);
		return false;
	}
	cpi_check_add(x->r, CPI_CHECK_OK, "vcenter.login", VC ".user", NULL,
	              "logged in as '%s'", vc->user);
	report_api(x);
	return true;
}

