/*
 * vsphere/stemcell_replica.c: a stemcell's linked-clone source on
 * another datastore (see vs_stemcell_replica() in stemcell.h): the
 * stemcell itself when it lies there, a replica made earlier (by this
 * CPI or the Ruby CPI), else a new one; racing processes end with one.
 */
#include "vsphere/stemcell.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/import.h"
#include "vsphere/pc.h"
#include "vsphere/stemcell_internal.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm_remove.h"

#define REPLICA_WAIT_S 900.0
#define REPLICA_POLL_S 2.0

const char *const vs_stemcell_props[] = {
	"datastore", "snapshot", "config.version", NULL,
};

/* Of o (vs_stemcell_props read): the VM's datastores and current
 * snapshot (has_snap false when none). */
static int
ds_snap_of(const struct vs_moref **ds, size_t *nds, bool *has_snap,
           struct vs_moref *snap, const struct vs_object *o,
           struct err *err)
{
	xmlNodePtr node, cur;
	int rc;

	*has_snap = false;
	*ds = NULL;
	*nds = 0;
	rc = vs_object_get_morefs(ds, nds, o, "datastore", err);
	if (rc == ERR_ENOTFOUND) {
		err_clear(err);
		rc = 0;
	}
	if (rc != 0)
		return rc;
	if (vs_object_get_node(&node, o, "snapshot", err) != 0) {
		err_clear(err);
		return 0;
	}
	cur = vs_xml_child(node, "currentSnapshot");
	if (cur != NULL) {
		rc = vs_xml_moref(snap, cur, err);
		*has_snap = rc == 0;
	}
	return rc;
}

/* The VM's datastores and current snapshot (has_snap false when none);
 * *o_out also holds its config.version. */
static int
vm_ds_snap(const struct vs_moref **ds, size_t *nds, bool *has_snap,
           struct vs_moref *snap, struct vs_object **o_out,
           struct vs_client *c, const struct vs_moref *vm,
           struct err *err)
{
	int rc;

	*has_snap = false;
	*ds = NULL;
	*nds = 0;
	rc = vs_get_props(o_out, c, vm, vs_stemcell_props, err);
	if (rc != 0)
		return rc;
	return ds_snap_of(ds, nds, has_snap, snap, *o_out, err);
}

static bool
moref_less(const struct vs_moref *a, const struct vs_moref *b)
{
	size_t la = strlen(a->value), lb = strlen(b->value);

	if (la != lb)
		return la < lb;
	return strcmp(a->value, b->value) < 0;
}

/* Waits until path names a VM with a current snapshot. */
static int
wait_replica(struct vs_moref *vm_out, struct vs_moref *snap_out,
             struct vs_client *c, const char *path, struct err *err)
{
	double deadline = vs_client_now(c) + REPLICA_WAIT_S;
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	size_t nds;
	bool has_snap;
	int rc;

	for (;;) {
		vs_object_free(o);
		o = NULL;
		rc = vs_find_by_inventory_path(vm_out, c, path, err);
		if (rc == 0)
			rc = vm_ds_snap(&ds, &nds, &has_snap, snap_out, &o, c,
			                vm_out, err);
		if (rc == ERR_ENOTFOUND) {
			err_clear(err);
			has_snap = false;
			rc = 0;
		}
		if (rc != 0 || has_snap)
			break;
		if (vs_client_now(c) >= deadline) {
			rc = err_set(err, ERR_ETIMEOUT,
			             "replica %s not ready after %.0f s",
			             path, REPLICA_WAIT_S);
			err->transient = true;
			break;
		}
		vs_client_sleep(c, REPLICA_POLL_S);
	}
	vs_object_free(o);
	return rc;
}

static int
clone_replica(struct vs_moref *out, struct vs_client *c,
              const struct vs_moref *src, const struct vs_moref *folder,
              const char *name, const struct vs_moref *datastore,
              const struct vs_moref *pool, struct err *err)
{
	struct vs_task_result res;
	struct vs_clone_spec cs;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&cs, 0, sizeof(cs));
	cs.location.datastore = datastore;
	cs.location.pool = pool;
	rc = vs_soap_request_new(&req, &m, "CloneVM_Task", src, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_moref(m, "folder", folder);
	vs_soap_add_text(m, "name", name);
	rc = vs_add_clone_spec(m, "spec", &cs, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_task_call(&res, c, req, VS_IMPORT_TASK_TIMEOUT_S, err);
	req = NULL;
	if (rc == 0 && strcmp(res.moref.type, "VirtualMachine") != 0)
		rc = err_set(err, ERR_EPARSE,
		             "clone task returned no VM");
	if (rc == 0)
		*out = res.moref;
cleanup:
	vs_task_result_clear(&res);
	xmlFreeDoc(req);
	return rc;
}

/* Another VM of the same name that sorts before mine (created earlier
 * by a racing process on a vCenter that let both names through)? */
static int
earlier_twin(bool *yes, struct vs_client *c, const struct vs_moref *folder,
             const char *name, const struct vs_moref *mine,
             struct err *err)
{
	struct vs_objects *list = NULL;
	const char *n;
	size_t i;
	int rc;

	*yes = false;
	rc = vs_stemcell__list_folder_vms(&list, c, folder, err);
	for (i = 0; rc == 0 && i < list->n; i++) {
		if (vs_object_get_str(&n, &list->items[i], "name", err) != 0) {
			err_clear(err);
			continue;
		}
		if (strcmp(n, name) == 0 &&
		    moref_less(&list->items[i].obj, mine))
			*yes = true;
	}
	vs_objects_free(list);
	return rc;
}

/* The Ruby CPI's replica name for cid on the datastore ds_value:
 * "<cid> %2f <ds_value>", a '/' in ds_value escaped as "%2f" (vCenter
 * keeps an escape sequence in a name as it is). */
static int
ruby_replica_name(char *out, size_t size, const char *cid,
                  const char *ds_value, struct err *err)
{
	size_t i, n;

	n = (size_t)snprintf(out, size, "%s%s", cid, VS_STEMCELL_RUBY_SEP);
	for (i = 0; n < size && ds_value[i] != '\0'; i++) {
		if (ds_value[i] == '/') {
			if (n + 3 >= size)
				break;
			memcpy(out + n, "%2f", 3);
			n += 3;
		} else {
			out[n++] = ds_value[i];
		}
	}
	if (n >= size || ds_value[i] != '\0') {
		if (size > 0)
			out[0] = '\0';
		return err_set(err, ERR_EINVAL, "replica name too long");
	}
	out[n] = '\0';
	return 0;
}

/* A replica the Ruby CPI made of cid on datastore, in folder: found
 * (vm_out, snap_out set) only when it lies on datastore and has a current
 * snapshot.  One folder read, one property read when a name matches. */
static int
ruby_replica(bool *found, struct vs_moref *vm_out, struct vs_moref *snap_out,
             struct vs_client *c, const struct vs_moref *folder,
             const char *cid, const struct vs_moref *datastore,
             struct err *err)
{
	struct vs_objects *list = NULL;
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	const char *n;
	char name[512];
	size_t i, nds;
	bool has_snap = false;
	int rc;

	*found = false;
	rc = ruby_replica_name(name, sizeof(name), cid, datastore->value,
	                       err);
	if (rc != 0)
		return rc;
	rc = vs_stemcell__list_folder_vms(&list, c, folder, err);
	for (i = 0; rc == 0 && i < list->n && !*found; i++) {
		if (vs_object_get_str(&n, &list->items[i], "name", err) != 0) {
			err_clear(err);
			continue;
		}
		if (strcmp(n, name) != 0)
			continue;
		vs_object_free(o);
		o = NULL;
		rc = vm_ds_snap(&ds, &nds, &has_snap, snap_out, &o, c,
		                &list->items[i].obj, err);
		if (rc == ERR_ENOTFOUND) {
			err_clear(err);
			rc = 0;
			continue;
		}
		if (rc == 0 && has_snap &&
		    vs_stemcell__moref_in(datastore, ds, nds)) {
			*vm_out = list->items[i].obj;
			*found = true;
			vs_client_logf(c, 1, "using the replica %s (%s)", n,
			               vm_out->value);
		}
	}
	if (!*found)
		memset(snap_out, 0, sizeof(*snap_out));
	vs_object_free(o);
	vs_objects_free(list);
	return rc;
}

/* One vs_stemcell_replica() call. */
struct replica_job {
	struct vs_client *c;
	const char *cid;
	const struct vs_moref *datastore;
	const struct vs_moref *pool;
	char name[128];             /* the replica's */
	char *fpath;                /* the template folder's path */
	char *spath;                /* the stemcell's */
	char *rpath;                /* the replica's */
	struct vs_moref sc;         /* the stemcell */
	struct vs_moref *vm_out;
	struct vs_moref *snap_out;
	char *hw_out;               /* VS_STEMCELL_HW_MAX bytes, or NULL */
	const struct vs_object *known;  /* the stemcell, read already */
};

static int
replica_prepare(struct replica_job *j, const struct vs_stemcell_loc *loc,
                struct err *err)
{
	int rc;

	rc = vs_stemcell__check_loc(loc, err);
	if (rc == 0 && (j->datastore == NULL || j->pool == NULL))
		rc = err_set(err, ERR_EINVAL,
		             "replica: datastore and pool required");
	if (rc == 0)
		rc = vs_stemcell_replica_name(j->name, sizeof(j->name), j->cid,
		                              j->datastore->value, err);
	if (rc != 0)
		return rc;
	j->fpath = vs_stemcell__folder_path(loc);
	j->spath = j->fpath != NULL ?
	           vs_stemcell__join(j->fpath, "/", j->cid, NULL) : NULL;
	j->rpath = j->fpath != NULL ?
	           vs_stemcell__join(j->fpath, "/", j->name, NULL) : NULL;
	if (j->spath == NULL || j->rpath == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* The stemcell's hardware version into out (VS_STEMCELL_HW_MAX bytes;
 * "" when unknown or odd).  Its replicas are its clones: the same. */
static void
stemcell_hw(char *out, const struct vs_object *o)
{
	struct err e;
	const char *v;
	size_t i;

	out[0] = '\0';
	err_clear(&e);
	if (vs_object_get_str(&v, o, "config.version", &e) != 0 ||
	    strlen(v) >= VS_STEMCELL_HW_MAX)
		return;
	for (i = 0; v[i] != '\0'; i++) {
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return;
	}
	memcpy(out, v, i + 1);
}

/* The stemcell itself when it lies on the datastore (*done then). */
static int
from_stemcell(bool *done, struct replica_job *j, struct err *err)
{
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	size_t nds;
	bool has_snap;
	int rc;

	*done = false;
	if (j->known != NULL) {
		j->sc = j->known->obj;
		rc = ds_snap_of(&ds, &nds, &has_snap, j->snap_out, j->known,
		                err);
	} else {
		rc = vs_find_by_inventory_path(&j->sc, j->c, j->spath, err);
		if (rc == 0)
			rc = vm_ds_snap(&ds, &nds, &has_snap, j->snap_out, &o,
			                j->c, &j->sc, err);
	}
	if (rc == 0 && j->hw_out != NULL)
		stemcell_hw(j->hw_out, j->known != NULL ? j->known : o);
	if (rc != 0) {
		err_prefix(err, "stemcell %s", j->cid);
	} else if (vs_stemcell__moref_in(j->datastore, ds, nds)) {
		*done = true;
		if (!has_snap)
			rc = err_set(err, ERR_ENOTFOUND, "stemcell %s has "
			             "no snapshot", j->cid);
		else
			*j->vm_out = j->sc;
	}
	vs_object_free(o);
	return rc;
}

/* The replica when it exists already (*done then), once it has its
 * snapshot. */
static int
existing_replica(bool *done, struct replica_job *j, struct err *err)
{
	struct err e;
	int rc;

	*done = false;
	err_clear(&e);
	rc = vs_find_by_inventory_path(j->vm_out, j->c, j->rpath, &e);
	if (rc == ERR_ENOTFOUND)
		return 0;
	*done = true;
	if (rc == 0)
		rc = wait_replica(j->vm_out, j->snap_out, j->c, j->rpath, &e);
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}

/* Made here: cloned, then snapshot; a racing process that made it too
 * (DuplicateName, or an earlier twin) is waited for instead. */
static int
new_replica(struct replica_job *j, const struct vs_moref *folder,
            struct err *err)
{
	struct vs_moref mine;
	struct err e;
	bool twin = false;
	int rc;

	err_clear(&e);
	vs_client_logf(j->c, 1, "replicating %s to datastore %s as %s",
	               j->cid, j->datastore->value, j->name);
	rc = clone_replica(&mine, j->c, &j->sc, folder, j->name, j->datastore,
	                   j->pool, &e);
	if (rc != 0 && strcmp(e.fault, "DuplicateName") == 0) {
		vs_client_logf(j->c, 1, "replica %s is being made by another "
		               "process; waiting", j->name);
		err_clear(&e);
		rc = wait_replica(j->vm_out, j->snap_out, j->c, j->rpath, &e);
		goto cleanup;
	}
	if (rc == 0)
		rc = earlier_twin(&twin, j->c, folder, j->name, &mine, &e);
	if (rc == 0 && twin) {
		vs_client_logf(j->c, 1, "replica %s was made twice; keeping "
		               "the older one", j->name);
		rc = vs_vm_remove(NULL, j->c, &mine, &vs_import_vm_removal,
		                  &e);
		if (rc == 0)
			rc = wait_replica(j->vm_out, j->snap_out, j->c,
			                  j->rpath, &e);
		goto cleanup;
	}
	if (rc == 0)
		rc = vs_stemcell__take_snapshot(j->snap_out, j->c, &mine, &e);
	if (rc == 0)
		*j->vm_out = mine;
cleanup:
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}

int
vs_stemcell_replica(struct vs_moref *vm_out,
                    struct vs_moref *snapshot_out, char *hw_out,
                    struct vs_client *c,
                    const struct vs_stemcell_loc *loc,
                    const char *stemcell_cid,
                    const struct vs_moref *datastore,
                    const struct vs_moref *pool, struct err *err)
{
	return vs_stemcell_replica_of(vm_out, snapshot_out, hw_out, c, loc,
	                              stemcell_cid, NULL, datastore, pool,
	                              err);
}

int
vs_stemcell_replica_of(struct vs_moref *vm_out,
                       struct vs_moref *snapshot_out, char *hw_out,
                       struct vs_client *c,
                       const struct vs_stemcell_loc *loc,
                       const char *stemcell_cid,
                       const struct vs_object *sc,
                       const struct vs_moref *datastore,
                       const struct vs_moref *pool, struct err *err)
{
	struct replica_job j = {
		.c = c, .cid = stemcell_cid, .datastore = datastore,
		.pool = pool, .vm_out = vm_out, .snap_out = snapshot_out,
		.hw_out = hw_out, .known = sc,
	};
	struct vs_moref folder;
	struct err e;
	bool done = false;
	int rc;

	memset(vm_out, 0, sizeof(*vm_out));
	memset(snapshot_out, 0, sizeof(*snapshot_out));
	if (hw_out != NULL)
		hw_out[0] = '\0';
	err_clear(&e);
	rc = replica_prepare(&j, loc, &e);
	if (rc == 0)
		rc = from_stemcell(&done, &j, &e);
	if (rc == 0 && !done)
		rc = existing_replica(&done, &j, &e);
	if (rc == 0 && !done)
		rc = vs_find_by_inventory_path(&folder, c, j.fpath, &e);
	/* one the Ruby CPI made there is as good */
	if (rc == 0 && !done)
		rc = ruby_replica(&done, vm_out, snapshot_out, c, &folder,
		                  stemcell_cid, datastore, &e);
	if (rc == 0 && !done)
		rc = new_replica(&j, &folder, &e);
	if (rc != 0) {
		memset(vm_out, 0, sizeof(*vm_out));
		memset(snapshot_out, 0, sizeof(*snapshot_out));
		err_prefix(&e, "stemcell replica");
		err_keep_first(err, &e);
	}
	free(j.rpath);
	free(j.spath);
	free(j.fpath);
	return rc;
}
