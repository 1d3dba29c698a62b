/*
 * cpi/error.h: the error object of the cpi/ layer.
 *
 * Every cpi_ function that can fail takes a `struct cpi_error *err` as its
 * last parameter and returns 0 or a negative enum cpi_code.  The first
 * failure fills the object; later cpi_error_set() calls on a filled object
 * are ignored, so the response carries the root cause (callers may add
 * context with cpi_error_prefix()).  The type is one the BOSH Director
 * knows (any other type would surface as ExternalCpi::UnknownError).
 * Messages never hold secrets: name keys and positions, not values.
 */
#ifndef CPI_ERROR_H
#define CPI_ERROR_H

#include <stdbool.h>

#include "vsphere/vs_error.h"

enum cpi_code {
	CPI_OK = 0,
	CPI_ERR = -1,       /* generic */
	CPI_ENOMEM = -2,
	CPI_EINVAL = -3,    /* bad request, argument or config */
	CPI_EIO = -4,       /* local I/O */
};

/* Exactly the Director's KNOWN_RPC_ERRORS. */
enum cpi_error_type {
	CPI_ERROR_CPI = 0,          /* Bosh::Clouds::CpiError */
	CPI_ERROR_NOT_IMPLEMENTED,  /* Bosh::Clouds::NotImplemented */
	CPI_ERROR_NOT_SUPPORTED,    /* Bosh::Clouds::NotSupported */
	CPI_ERROR_CLOUD,            /* Bosh::Clouds::CloudError */
	CPI_ERROR_VM_NOT_FOUND,     /* Bosh::Clouds::VMNotFound */
	CPI_ERROR_NETWORK_NOT_FOUND, /* Bosh::Clouds::NetworkNotFound */
	CPI_ERROR_NO_DISK_SPACE,    /* Bosh::Clouds::NoDiskSpace */
	CPI_ERROR_DISK_NOT_ATTACHED, /* Bosh::Clouds::DiskNotAttached */
	CPI_ERROR_DISK_NOT_FOUND,   /* Bosh::Clouds::DiskNotFound */
	CPI_ERROR_VM_CREATION_FAILED, /* Bosh::Clouds::VMCreationFailed */
	CPI_ERROR_TYPE_COUNT
};

struct cpi_error {
	int set;                    /* 0 while unset */
	enum cpi_error_type type;
	bool ok_to_retry;
	char message[2048];         /* one line, no secrets */
};

/* Fills e unless already set; returns CPI_ERR. */
int cpi_error_set(struct cpi_error *e, enum cpi_error_type t, bool retry,
                  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Takes over a vsphere/ error: its message (with the vim fault type when
 * the message does not name it), ok_to_retry from vs->transient.  An
 * unset vs still sets e (as an internal error).  Returns CPI_ERR. */
int cpi_error_from_vs(struct cpi_error *e, enum cpi_error_type t,
                      const struct vs_error *vs);
/* Prepends "prefix: " to an already set message. */
void cpi_error_prefix(struct cpi_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cpi_error_clear(struct cpi_error *e);
bool cpi_error_is_set(const struct cpi_error *e);
/* "Bosh::Clouds::CpiError" etc.; out-of-range values give CpiError. */
const char *cpi_error_type_name(enum cpi_error_type t);

#endif
