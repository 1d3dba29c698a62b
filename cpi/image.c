/*
 * cpi/image.c: see image.h.
 */
#include "cpi/image.h"

int
cpi_iso_build(unsigned char **out, size_t *len_out, const char *file_name,
    const unsigned char *data, size_t data_len, const char *volume_id,
    struct err *err)
{
	struct err ie = { 0 };
	int rc;

	rc = img_iso_build(out, len_out, file_name, data, data_len,
	    volume_id, &ie);
	if (rc < 0)
		cpi_err_set(err, CPI_ERROR_CPI, false, "%s", ie.message);
	return rc;
}
