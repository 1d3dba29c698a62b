/*
 * vsphere/stemcell.c: stemcell import, deletion and replicas (see
 * vsphere/stemcell.h).
 */
#include "vsphere/stemcell.h"

#include <string.h>

bool
vs_stemcell_cid_valid(const char *cid)
{
	(void)cid;
	return false;
}

int
vs_stemcell_create(char *cid_out, struct vs_client *c,
                   const struct vs_stemcell_import *imp,
                   struct vs_error *err)
{
	(void)c;
	(void)imp;
	cid_out[0] = '\0';
	return vs_error_set(err, VS_ERR, "create_stemcell: not implemented");
}

int
vs_stemcell_delete(bool *found_out, struct vs_client *c,
                   const struct vs_stemcell_loc *loc, const char *cid,
                   struct vs_error *err)
{
	(void)c;
	(void)loc;
	(void)cid;
	if (found_out != NULL)
		*found_out = false;
	return vs_error_set(err, VS_ERR, "delete_stemcell: not implemented");
}

int
vs_stemcell_replica(struct vs_moref *vm_out,
                    struct vs_moref *snapshot_out, struct vs_client *c,
                    const struct vs_stemcell_loc *loc,
                    const char *stemcell_cid,
                    const struct vs_moref *datastore,
                    const struct vs_moref *pool, struct vs_error *err)
{
	(void)vm_out;
	(void)snapshot_out;
	(void)c;
	(void)loc;
	(void)stemcell_cid;
	(void)datastore;
	(void)pool;
	return vs_error_set(err, VS_ERR, "stemcell replica: not implemented");
}

int
vs_stemcell_replica_name(char *out, size_t size, const char *cid,
                         const char *ds_value, struct vs_error *err)
{
	(void)cid;
	(void)ds_value;
	if (size > 0)
		out[0] = '\0';
	return vs_error_set(err, VS_ERR, "stemcell replica: not implemented");
}
