/*
 * vsphere/transport_curl_err.c: a failed libcurl exchange read as an
 * error of base/err.h: transient (ERR_ENET, ERR_ETIMEOUT, with whether
 * the request may have reached the server), TLS (ERR_ETLS, with the
 * certificate's problem named), or what the exchange's own callbacks
 * recorded (a reply too large, a download that failed, ...).
 */
#include "vsphere/transport_curl_int.h"

#include <errno.h>
#include <string.h>

/* Whether the last exchange got as far as a connection. */
static bool
connected(CURL *h)
{
	curl_off_t t = 0;

	return curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t) !=
	       CURLE_OK || t > 0;
}

/* Whether the last exchange got a status line. */
static bool
status_seen(CURL *h)
{
	long status = 0;

	return curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) ==
	       CURLE_OK && status > 0;
}

/* The exchange's own failures (callback, size cap, memory, files):
 * true with *rc set when x had one. */
static bool
map_xfer_error(int *rc, const struct curl_tp *c, const struct xfer *x,
               const char *hostport, struct err *err)
{
	if (x->cb_failed) {
		/* the callback's own error, as it set it */
		if (err != NULL && err->code == 0)
			*err = x->cb_err;
		*rc = x->cb_err.code;
	} else if (x->too_large) {
		*rc = err_set(err, ERR_EPARSE,
		              "http: reply too large from %s (over %zu "
		              "bytes)", hostport, c->max_body);
	} else if (x->nomem) {
		*rc = err_set(err, ERR_ENOMEM, "out of memory");
	} else if (x->down_failed) {
		*rc = err_set(err, ERR_EIO,
		              "http: cannot write downloaded file: %s",
		              strerror(errno ? errno : EIO));
	} else if (x->read_failed) {
		*rc = err_set(err, ERR_EIO,
		              "http: cannot read upload file");
	} else {
		return false;
	}
	return true;
}

/* Network failures (transient): true with *rc set when cc is one. */
static bool
map_net_error(int *rc, const struct xfer *x, CURLcode cc,
              const char *hostport, const char *why, struct err *err)
{
	switch (cc) {
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		/* The request went out; its reply was lost. */
		*rc = err_set(err, ERR_ENET, "http: %s: %s", hostport,
		              why);
		if (err != NULL && err->code == ERR_ENET) {
			err->transient = true;
			err->maybe_sent = true;
		}
		return true;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
		/* Not connected, or the request not fully sent (a server
		 * does not act on a request cut short). */
		*rc = err_set(err, ERR_ENET, "http: %s: %s", hostport,
		              why);
		if (err != NULL && err->code == ERR_ENET)
			err->transient = true;
		return true;
	case CURLE_OPERATION_TIMEDOUT:
		*rc = err_set(err, ERR_ETIMEOUT, "http: %s: timed out: %s",
		              hostport, why);
		if (err != NULL && err->code == ERR_ETIMEOUT) {
			err->transient = true;
			/* Once connected, the request may have been read. */
			err->maybe_sent = connected(x->s->h);
		}
		return true;
	default:
		return false;
	}
}

/* The peer's certificate: final, and the message says what an operator
 * sets (Ruby CPI users never needed a CA).  A certificate for another
 * name is not fixed by a CA. */
static int
map_verify_error(const char *hostport, const char *why,
                 struct err *err)
{
	if (strstr(why, "subject name") != NULL)
		return err_set(err, ERR_ETLS,
		               "TLS: certificate verify failed for "
		               "%s: %s; connect by a name the "
		               "certificate holds (vcenters[0].host "
		               "in cpi.json, job property "
		               "vcenter.host), or "
		               "connection_options.insecure: true "
		               "for a lab", hostport, why);
	return err_set(err, ERR_ETLS,
	               "TLS: certificate verify failed for %s: %s; "
	               "set the vCenter's CA certificate as "
	               "connection_options.ca_cert in cpi.json (job "
	               "property vcenter.connection_options.ca_cert)"
	               ", or connection_options.insecure: true for "
	               "a lab", hostport, why);
}

/* TLS failures: true with *rc set when cc is one. */
static bool
map_tls_error(int *rc, CURLcode cc, const char *hostport, const char *why,
              struct err *err)
{
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		*rc = map_verify_error(hostport, why, err);
		return true;
	case CURLE_SSL_CONNECT_ERROR:
		/* The handshake broke off: a reset, a close or a network
		 * blip (certificate problems have the codes above).  The
		 * request was not sent yet, so any call may be resent. */
		*rc = err_set(err, ERR_ENET,
		              "TLS: handshake failed for %s: %s", hostport,
		              why);
		if (err != NULL && err->code == ERR_ENET)
			err->transient = true;
		return true;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		*rc = err_set(err, ERR_ETLS,
		              "TLS: handshake failed for %s: %s",
		              hostport, why);
		return true;
	default:
		return false;
	}
}

int
vs_curl_map_error(struct curl_tp *c, const struct xfer *x, CURLcode cc,
                  const char *hostport, struct err *err)
{
	const char *why = x->s->errbuf[0] != '\0' ? x->s->errbuf
	                                           : curl_easy_strerror(cc);
	int rc;

	if (map_xfer_error(&rc, c, x, hostport, err) ||
	    map_net_error(&rc, x, cc, hostport, why, err) ||
	    map_tls_error(&rc, cc, hostport, why, err))
		return rc;
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return err_set(err, ERR_EINVAL, "http: %s: %s", hostport,
		               why);
#if LIBCURL_VERSION_NUM >= 0x080600
	case CURLE_TOO_LARGE:
		return err_set(err, ERR_EPARSE, "reply header too large "
		               "from %s: %s", hostport, why);
#endif
	case CURLE_OUT_OF_MEMORY:
		/* curl before 8.6 reports a reply header over its cap so:
		 * the status line came, no body byte yet */
		if (status_seen(x->s->h) && !x->decided)
			return err_set(err, ERR_EPARSE, "reply header too "
			               "large from %s (curl takes at most "
			               "%d bytes per header)", hostport,
			               CURL_MAX_HTTP_HEADER);
		return err_set(err, ERR_ENOMEM, "out of memory");
	default:
		return err_set(err, ERR_FAIL, "http: %s: %s", hostport,
		               why);
	}
}
