/*
 * cpi/vm_place.c: what create_vm adds to its placement request (see
 * vm_place.h).
 */
#include "cpi/vm_place.h"

#include <stdlib.h>
#include <string.h>

#include "cpi/disk_cid.h"
#include "cpi/log.h"
#include "vsphere/pbm.h"
#include "vsphere/transports.h"

vs_placement_rand_fn
cpi_vm_place_rand(const struct cpi_call *call)
{
	const char *fx = getenv("VSPHERE_CPI_FIXTURES");
	const char *r = getenv("VSPHERE_CPI_PLACEMENT_RANDOM");

	if (call->opts != NULL && (call->opts->replay_dir != NULL ||
	                           call->opts->record_dir != NULL))
		return vs_placement_rand_fixed;
	if (vs_transport_test_hooks() &&
	    ((fx != NULL && fx[0] != '\0') ||
	     (r != NULL && strcmp(r, "fixed") == 0)))
		return vs_placement_rand_fixed;
	return NULL;
}

int
cpi_vm_place_disk_patterns(char ***out, size_t *n,
                           const struct cpi_call *call)
{
	const json_t *cids = json_array_get(call->args, 4);
	struct cpi_disk_cid id;
	struct err local = {0};
	size_t i;

	*out = NULL;
	*n = 0;
	if (json_array_size(cids) == 0)
		return 0;
	*out = calloc(json_array_size(cids), sizeof(**out));
	if (*out == NULL)
		return cpi_err_set(call->err, CPI_ERROR_CPI, false,
		                   "out of memory");
	for (i = 0; i < json_array_size(cids); i++) {
		err_clear(&local);
		if (cpi_disk_cid_parse(&id, json_string_value(
		        json_array_get(cids, i)), "create_vm", &local) < 0)
			continue;
		if (id.pattern != NULL)
			(*out)[(*n)++] = id.pattern;
		id.pattern = NULL;
		cpi_disk_cid_clear(&id);
	}
	return 0;
}

void
cpi_vm_place_patterns_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
cpi_vm_place_policy(struct vs_pbm_policy **out, struct vs_client *c,
                    const char *name, const struct cpi_call *call,
                    struct err *verr)
{
	int rc;

	*out = NULL;
	if (name == NULL)
		return 0;
	rc = vs_pbm_find_policy(out, c, name, verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm: storage policy %s (profile "
		             "%s): %zu compatible datastore(s)", name,
		             (*out)->profile_id, (*out)->ndatastores);
	return rc;
}
