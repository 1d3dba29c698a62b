/*
 * vsphere/client.h: what vsphere/ files use of the SOAP client
 * (internal; the public face is vsphere/vsphere.h).
 */
#ifndef VS_CLIENT_H
#define VS_CLIENT_H

#include <libxml/tree.h>

#include "vsphere/soap.h"
#include "vsphere/transport.h"
#include "base/err.h"
#include "vsphere/vsphere.h"

struct vs_client;

/* The managed objects of ServiceContent the CPI uses. */
struct vs_service_content {
	struct vs_moref root_folder;
	struct vs_moref property_collector;
	struct vs_moref view_manager;
	struct vs_moref search_index;
	struct vs_moref file_manager;
	struct vs_moref virtual_disk_manager;
	struct vs_moref ovf_manager;
	struct vs_moref custom_fields_manager;
	struct vs_moref session_manager;
	struct vs_moref authorization_manager;  /* preflight only */
	char api_version[32];   /* about.apiVersion, e.g. "8.0.0.1" */
	char api_type[32];      /* about.apiType: VirtualCenter / HostAgent */
};

/* The reply of RetrieveServiceContent (its <...Response>) read into
 * *sc: the managed objects (rootFolder, propertyCollector and
 * sessionManager required) and about's apiVersion and apiType. */
int vs_service_content_read(struct vs_service_content *sc, xmlNodePtr resp,
                            struct err *err);
/* Whether v may name the API in a SOAPAction: "6.5", "8.0.2.0"
 * (digits and dots, 1 to 16 characters). */
bool vs_api_version_ok(const char *v);

/* sc as saved with vs_service_content_format() and read back. */
int vs_service_content_format(char **out, const struct vs_service_content *sc,
                              struct err *err);
/* One "about …" or "moref …" line of that text (without its newline)
 * into *sc: 1 when it is one, 0 when it is another line, ERR_EPARSE. */
int vs_service_content_line(struct vs_service_content *sc, const char *line,
                            struct err *err);
/* Whether sc holds what vs_service_content_read() requires. */
bool vs_service_content_whole(const struct vs_service_content *sc);

/* Takes the service content and the session cookie (its cookie-jar
 * line) of an earlier process instead of RetrieveServiceContent and
 * Login: no round trip.  A session vCenter no longer knows is refused at
 * the first call, which logs in again (the re-login rule below). */
int vs_client_adopt(struct vs_client *c, const struct vs_service_content *sc,
                    const char *jar_line, struct err *err);

/* Sends one SOAP request and reads the reply.  req is consumed (freed)
 * in every case.  On success *resp_out owns the reply document and
 * *response_out is its <MethodResponse> element (children: returnval…).
 * Transient transport failures and HTTP 503 are retried with capped
 * exponential backoff; a NotAuthenticated fault (or a missingSet entry
 * holding NotAuthenticated) triggers one re-login and one retry.  A
 * SOAP fault gives ERR_EFAULT with err->fault set to its type. */
int vs_client_call(struct vs_client *c, xmlDocPtr req, xmlDocPtr *resp_out,
                   xmlNodePtr *response_out, struct err *err);

struct vs_soap_stream;

/* As vs_client_call (the same retries, faults and re-login), for a
 * property collector page: a 200 reply's objects go to st as they are
 * parsed (vsphere/soap_stream.h) instead of a document; st->token
 * holds the next page's token. */
int vs_client_call_stream(struct vs_client *c, xmlDocPtr req,
                          struct vs_soap_stream *st, struct err *err);

/* A SOAP endpoint of the vCenter beside vim25's: its path (e.g.
 * "/pbm/sdk") and SOAPAction. */
struct vs_soap_endpoint {
	const char *path;
	const char *soap_action;
};

/* As vs_client_call, to endpoint ep: the same retries, HTTP and fault
 * handling, without the re-login rule (such a request carries the
 * session itself, e.g. PBM's vcSessionCookie header, so its serialized
 * body is wiped after the exchange). */
int vs_client_call_at(struct vs_client *c, const struct vs_soap_endpoint *ep,
                      xmlDocPtr req, xmlDocPtr *resp_out,
                      xmlNodePtr *response_out, struct err *err);

/* One raw HTTP exchange through the transport (datastore /folder
 * transfers, NFC uploads), with the same retry policy for transient
 * failures.  url may be relative to the vCenter ("/folder/…"). */
int vs_client_http(struct vs_client *c, const struct vs_http_request *req,
                   struct vs_http_response *resp, struct err *err);

/* The cookie `name` the client's transport keeps for the vCenter
 * (vs_transport_cookie()): *out malloc'd. */
int vs_client_cookie(char **out, struct vs_client *c, const char *name,
                     struct err *err);

/* The same cookie as its whole cookie-jar line (a secret), for a
 * session kept between processes (vs_transport_cookie_save()). */
int vs_client_cookie_save(char **out, struct vs_client *c, const char *name,
                          struct err *err);

const struct vs_service_content *vs_client_sc(const struct vs_client *c);
/* "https://host:port" without a trailing slash. */
const char *vs_client_base_url(const struct vs_client *c);

void vs_client_logf(struct vs_client *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clock and sleep go through the client so tests and replay take no
 * time. */
double vs_client_now(struct vs_client *c);
void vs_client_sleep(struct vs_client *c, double seconds);

#endif
