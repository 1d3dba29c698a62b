/*
 * vsphere/vs_error.h: the error object of the vsphere/ layer.
 *
 * Every vs_ function that can fail takes a `struct vs_error *err` as its
 * last parameter and returns 0 or a negative enum vs_code.  The first
 * failure fills the object; later vs_error_set() calls on a filled object
 * are ignored, so the message that reaches the caller is the root cause
 * (callers may add context with vs_error_prefix()).
 */
#ifndef VS_ERROR_H
#define VS_ERROR_H

#include <stdbool.h>

enum vs_code {
	VS_OK = 0,
	VS_ERR = -1,        /* generic */
	VS_ENOMEM = -2,
	VS_EINVAL = -3,     /* bad argument or input from our own caller */
	VS_ENET = -4,       /* connect/reset/DNS: transient */
	VS_ETLS = -5,       /* certificate or handshake failure */
	VS_ETIMEOUT = -6,   /* transfer or overall deadline exceeded */
	VS_EHTTP = -7,      /* unexpected HTTP status */
	VS_EPARSE = -8,     /* unparsable or unexpected reply */
	VS_EFAULT = -9,     /* SOAP fault (see fault) */
	VS_ETASK = -10,     /* vCenter task ended in error (see fault) */
	VS_ENOTFOUND = -11, /* object looked up does not exist */
	VS_EREPLAY = -12,   /* replay transport: request mismatch */
	VS_EIO = -13,       /* local file I/O */
};

struct vs_error {
	int code;            /* enum vs_code, 0 while unset */
	int http_status;     /* last HTTP status involved, 0 if none */
	bool transient;      /* a retry may succeed */
	bool maybe_sent;     /* transport failure after the request may have
	                        reached the server (reply lost, reset,
	                        timeout after connecting): resending a
	                        non-idempotent request could run it twice */
	char fault[64];      /* vim fault type, e.g. "NotAuthenticated" */
	char message[1024];  /* one line, no secrets */
};

/* Fills err unless already set; returns code (negative). */
int vs_error_set(struct vs_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to an already set message. */
void vs_error_prefix(struct vs_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vs_error_clear(struct vs_error *err);
bool vs_error_is_set(const struct vs_error *err);
/* Passes a local error up: copies local into err unless err already
 * holds one (the first error is the one reported). */
void vs_error_keep_first(struct vs_error *err, const struct vs_error *local);

/* Log sink the layer reports through (retries, warnings).  Never passed
 * secrets.  level: 0 debug, 1 info, 2 warn, 3 error. */
typedef void (*vs_log_fn)(void *ud, int level, const char *msg);

#endif
