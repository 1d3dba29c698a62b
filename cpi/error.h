/*
 * cpi/error.h: the Bosh error classes of the cpi/ layer, on the one
 * error object (base/err.h).
 *
 * Every cpi_ function that can fail takes a `struct err *err` as its last
 * parameter and returns 0 or a negative enum err_code.  The first failure
 * fills the object; later sets on a filled object are ignored, so the
 * response carries the root cause (callers may add context with
 * err_prefix()).  The type is one the BOSH Director knows (any other type
 * would surface as ExternalCpi::UnknownError).  Messages never hold
 * secrets: name keys and positions, not values.
 */
#ifndef CPI_ERROR_H
#define CPI_ERROR_H

#include <stdbool.h>

#include "base/err.h"

/* Exactly the Director's KNOWN_RPC_ERRORS (struct err's type). */
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

/* Fills e unless already set (code ERR_FAIL, the Bosh type and
 * ok_to_retry); returns ERR_FAIL. */
int cpi_err_set(struct err *e, enum cpi_error_type t, bool retry,
                const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Takes over a lower layer's (vsphere/) error as one of type t: its
 * message (with the vim fault type when the message does not name it),
 * ok_to_retry from vs->transient.  An unset vs still sets e (as an
 * internal error).  Returns ERR_FAIL. */
int cpi_err_from_vs(struct err *e, enum cpi_error_type t,
                    const struct err *vs);
/* "Bosh::Clouds::CpiError" etc.; out-of-range values give CpiError. */
const char *cpi_err_type_name(enum cpi_error_type t);

#endif
