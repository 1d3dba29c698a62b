/*
 * base/err.h: the one error object of every layer (base/, image/,
 * network/, vsphere/, cpi/).
 *
 * A function that can fail takes a `struct err *err` as its last
 * parameter and returns 0 or a negative enum err_code.  The first failure
 * fills the object; later err_set() calls on a filled object are ignored,
 * so the message that reaches the caller is the root cause (callers may
 * add context with err_prefix(), and pass a local error up with
 * err_keep_first()).  Messages are one line and never hold secrets: name
 * keys and positions, not values.
 *
 * The fields after `code` are filled by the layer that knows them:
 * vsphere/ sets http_status, transient, maybe_sent and fault; cpi/ sets
 * type (an enum cpi_error_type: the Bosh error class the Director is
 * told, 0 = Bosh::Clouds::CpiError) and ok_to_retry (cpi/error.h).
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stdbool.h>

enum err_code {
	ERR_OK = 0,
	ERR_FAIL = -1,       /* generic */
	ERR_ENOMEM = -2,
	ERR_EINVAL = -3,     /* bad argument, input, request or config */
	ERR_ENET = -4,       /* connect/reset/DNS: transient */
	ERR_ETLS = -5,       /* certificate or handshake failure */
	ERR_ETIMEOUT = -6,   /* transfer or overall deadline exceeded */
	ERR_EHTTP = -7,      /* unexpected HTTP status */
	ERR_EPARSE = -8,     /* unparsable or unexpected reply */
	ERR_EFAULT = -9,     /* SOAP fault (see fault) */
	ERR_ETASK = -10,     /* vCenter task ended in error (see fault) */
	ERR_ENOTFOUND = -11, /* object looked up does not exist */
	ERR_EREPLAY = -12,   /* replay transport: request mismatch */
	ERR_EIO = -13,       /* local file I/O */
	ERR_EFORMAT = -14,   /* not gzip, corrupt gzip, corrupt tar */
	ERR_ETRUNC = -15,    /* archive ends too early */
	ERR_EUNSAFE = -16,   /* archive member refused: name or type */
	ERR_ELIMIT = -17,    /* a size or count cap exceeded */
	ERR_ENOOVF = -18,    /* no (or more than one) .ovf descriptor */
	/* convert.sh appends codes it finds in no list above here */
};

#define ERR_MESSAGE_MAX 2048

struct err {
	int code;            /* enum err_code, 0 while unset */
	/* cpi/: the Bosh error class (enum cpi_error_type) and whether the
	 * Director may retry */
	int type;
	bool ok_to_retry;
	/* vsphere/ */
	int http_status;     /* last HTTP status involved, 0 if none */
	bool transient;      /* a retry may succeed */
	bool maybe_sent;     /* transport failure after the request may have
	                        reached the server (reply lost, reset,
	                        timeout after connecting): resending a
	                        non-idempotent request could run it twice */
	char fault[64];      /* vim fault type, e.g. "NotAuthenticated" */
	char message[ERR_MESSAGE_MAX]; /* one line, no secrets */
};

/* Fills err unless already set (code, message; the other fields stay
 * as they are); returns code, or ERR_FAIL for a non-negative code.
 * err may be NULL. */
int err_set(struct err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to an already set message (nothing when unset). */
void err_prefix(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct err *err);
bool err_is_set(const struct err *err);
/* Passes a local error up: copies local into err unless err already
 * holds one (the first error is the one reported). */
void err_keep_first(struct err *err, const struct err *local);

#endif
