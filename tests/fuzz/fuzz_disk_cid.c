/*
 * fuzz_disk_cid: the Director's disk cids (cpi/disk_cid.h), the Ruby
 * CPI's "disk-<uuid>.<base64 JSON>" form included.  The input is the cid
 * up to its first NUL.  An accepted cid must name a valid disk file and
 * carry a pattern that compiles.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/disk_cid.h"
#include "vsphere/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpi_disk_cid id;
	struct err err = { 0 };
	struct err verr = { 0 };
	char *raw = malloc(size + 1);

	if (raw == NULL)
		return 0;
	memcpy(raw, data, size);
	raw[size] = '\0';
	if (cpi_disk_cid_parse(&id, raw, "fuzz", &err) == 0) {
		if (!vs_disk_cid_valid(id.name))
			abort();
		if (id.pattern != NULL &&
		    vs_pattern_check(id.pattern, "p", &verr) != 0)
			abort();
		cpi_disk_cid_clear(&id);
	} else if (id.pattern != NULL || id.name[0] != '\0') {
		abort();        /* a refusal leaves nothing behind */
	}
	free(raw);
	return 0;
}
