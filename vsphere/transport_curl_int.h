/*
 * vsphere/transport_curl_int.h: what the libcurl transport's files
 * share (transport_curl.c: the exchanges; transport_curl_err.c: a
 * failed exchange's curl code read as an error of base/err.h).
 */
#ifndef VS_TRANSPORT_CURL_INT_H
#define VS_TRANSPORT_CURL_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <curl/curl.h>

#include "base/buf.h"
#include "vsphere/transport.h"
#include "vsphere/vs_log.h"
/* the outer exchange and one nested in its progress callback */
#define NSLOTS 2

struct slot {
	CURL *h;                      /* NULL until first used */
	bool busy;                    /* an exchange runs on it */
	char errbuf[CURL_ERROR_SIZE];
};

struct curl_tp {
	struct vs_transport base;
	CURLSH *share;                /* cookies, DNS, TLS sessions */
	struct slot slots[NSLOTS];
	char *ca;                     /* copy of opts.ca_cert_pem */
	bool insecure;
	long connect_timeout_s;
	long timeout_s;
	vs_log_fn log;
	void *log_ud;
	size_t max_body;
};

/* State of one exchange. */
struct xfer {
	struct curl_tp *c;
	struct slot *s;
	const struct vs_http_request *req;
	struct buf body;
	bool decided;           /* status seen: body goes to file or memory */
	FILE *down;
	bool opened;            /* we created download_path */
	bool down_failed;
	bool too_large;
	bool nomem;
	FILE *up;
	const char *mem;
	size_t mem_len;
	size_t mem_off;
	bool read_failed;
	bool cb_failed;         /* the progress callback stopped it */
	struct err cb_err; /* …with this error */
};

/* The error of exchange x that ended with cc (hostport names the
 * server in the message): its code, err set. */
int vs_curl_map_error(struct curl_tp *c, const struct xfer *x, CURLcode cc,
                      const char *hostport, struct err *err);

#endif
