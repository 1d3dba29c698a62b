/*
 * cpi/image.h: the image/ module (image/iso9660.h, image/stemcell.h)
 * as the cpi/ layer calls it, with the error the Director sees.
 */
#ifndef CPI_IMAGE_H
#define CPI_IMAGE_H

#include <stddef.h>

#include "cpi/error.h"
#include "image/iso9660.h"

/* img_iso_build() (see image/iso9660.h); a refusal fills err (set
 * once) with type CPI_ERROR_CPI, not retryable.  Returns 0 or the
 * negative enum err_code (ERR_EINVAL and ERR_ENOMEM are ERR_EINVAL and
 * ERR_ENOMEM). */
int cpi_iso_build(unsigned char **out, size_t *len_out,
    const char *file_name, const unsigned char *data, size_t data_len,
    const char *volume_id, struct err *err);

#endif
