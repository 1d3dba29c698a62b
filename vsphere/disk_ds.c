/*
 * vsphere/disk_ds.c: the datacenter's datastores and which one a disk
 * goes to (disk.h).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

static bool
same_ref(const struct vs_moref *a, const struct vs_moref *b)
{
	return strcmp(a->type, b->type) == 0 &&
	       strcmp(a->value, b->value) == 0;
}

static void
ds_clear(struct vs_disk_ds *d)
{
	free(d->name);
}

void
vs_disk_dss_free(struct vs_disk_dss *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		ds_clear(&d->items[i]);
	free(d->items);
	free(d);
}

static int
ds_from_object(struct vs_disk_ds *d, const struct vs_object *o,
               struct err *err)
{
	struct vs_ds_summary *sum = NULL;
	xmlNodePtr val;
	int rc;

	d->ref = o->obj;
	rc = vs_object_get_node(&val, o, "summary", err);
	if (rc == 0)
		rc = vs_ds_summary_from_node(&sum, val, err);
	if (rc != 0)
		goto cleanup;
	if (sum->name == NULL) {
		rc = err_set(err, ERR_EPARSE, "datastore %s: no name",
		             o->obj.value);
		goto cleanup;
	}
	d->name = strdup(sum->name);
	if (d->name == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	d->capacity = sum->capacity;
	d->free_space = sum->free_space;
	d->usable = sum->accessible && (sum->maintenance_mode == NULL ||
	            strcmp(sum->maintenance_mode, "normal") == 0);
cleanup:
	vs_ds_summary_free(sum);
	return rc;
}

int
vs_disk_datastores(struct vs_disk_dss **out, struct vs_client *c,
                   const struct vs_moref *dc, struct err *err)
{
	static const char *const paths[] = { "summary", NULL };
	struct vs_objects *list = NULL;
	struct vs_disk_dss *dss = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = vs_disk__check_ref(dc, "datastores", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, dc, "Datastore", paths, err);
	if (rc != 0)
		goto cleanup;
	dss = calloc(1, sizeof(*dss));
	if (dss != NULL && list->n > 0)
		dss->items = calloc(list->n, sizeof(*dss->items));
	if (dss == NULL || (list->n > 0 && dss->items == NULL)) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		dss->n = i + 1;
		rc = ds_from_object(&dss->items[i], &list->items[i], err);
		if (rc != 0) {
			err_prefix(err, "datastore %s",
			           list->items[i].obj.value);
			goto cleanup;
		}
	}
	*out = dss;
	dss = NULL;
cleanup:
	vs_disk_dss_free(dss);
	vs_objects_free(list);
	return rc;
}

void
vs_disk_reach_clear(struct vs_disk_reach *r)
{
	if (r == NULL)
		return;
	free(r->items);
	memset(r, 0, sizeof(*r));
}

int
vs_disk_host_reach(struct vs_disk_reach *out, struct vs_client *c,
                   const struct vs_moref *host, struct err *err)
{
	static const char *const paths[] = { "datastore", NULL };
	const struct vs_moref *refs;
	struct vs_object *o = NULL;
	struct err e;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	rc = vs_disk__check_ref(host, "host datastores", err);
	if (rc == 0)
		rc = vs_get_props(&o, c, host, paths, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_object_get_morefs(&refs, &n, o, "datastore", &e);
	if (rc == ERR_ENOTFOUND) {
		rc = 0;
		goto cleanup;
	}
	if (rc != 0) {
		err_keep_first(err, &e);
		goto cleanup;
	}
	if (n > 0) {
		out->items = calloc(n, sizeof(*out->items));
		if (out->items == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
		memcpy(out->items, refs, n * sizeof(*refs));
		out->n = n;
	}
cleanup:
	vs_object_free(o);
	return rc;
}

bool
vs_disk_ds_reaches(const struct vs_disk_ds *ds,
                   const struct vs_disk_reach *reach)
{
	size_t i;

	if (ds == NULL || reach == NULL)
		return false;
	for (i = 0; i < reach->n; i++) {
		if (same_ref(&reach->items[i], &ds->ref))
			return true;
	}
	return false;
}

int
vs_disk_ds_wanted(bool *out, const struct vs_disk_ds *ds,
                  const char *pattern, const char *const *names,
                  size_t nnames, struct err *err)
{
	size_t i;

	*out = false;
	if (nnames > 0) {
		for (i = 0; i < nnames; i++) {
			if (names[i] != NULL && strcmp(names[i], ds->name) == 0)
				*out = true;
		}
		return 0;
	}
	if (pattern == NULL || pattern[0] == '\0') {
		*out = true;
		return 0;
	}
	return vs_pattern_matches(out, pattern, ds->name,
	                          "persistent datastore pattern", err);
}

int
vs_disk_pick_datastore(const struct vs_disk_ds **out,
                       const struct vs_disk_dss *dss, const char *pattern,
                       const char *const *names, size_t nnames,
                       const struct vs_disk_reach *reach,
                       long long need_bytes, struct err *err)
{
	const struct vs_disk_ds *best = NULL;
	bool best_near = false, wanted;
	size_t i, nwanted = 0;
	int rc;

	*out = NULL;
	for (i = 0; dss != NULL && i < dss->n; i++) {
		const struct vs_disk_ds *d = &dss->items[i];
		bool near;

		rc = vs_disk_ds_wanted(&wanted, d, pattern, names, nnames,
		                       err);
		if (rc != 0)
			return rc;
		if (!wanted)
			continue;
		nwanted++;
		if (!d->usable || d->free_space < need_bytes)
			continue;
		near = reach == NULL || vs_disk_ds_reaches(d, reach);
		if (best == NULL || (near && !best_near) ||
		    (near == best_near && d->free_space > best->free_space)) {
			best = d;
			best_near = near;
		}
	}
	if (best == NULL) {
		if (nwanted == 0)
			return err_set(err, ERR_ENOTFOUND, "no datastore "
			               "matches the persistent datastore "
			               "pattern or names");
		return err_set(err, ERR_ENOTFOUND, "none of the %zu "
		               "matching datastores is usable with %lld "
		               "MB free", nwanted, need_bytes / 1048576);
	}
	*out = best;
	return 0;
}

int
vs_disk__each_candidate(struct vs_disk_loc *out,
                        const struct vs_disk_dss *dss,
                        const char *pattern,
                        vs_disk__try_fn try_ds, void *ctx,
                        struct err *err)
{
	bool wanted, was_set = err_is_set(err);
	size_t i;
	int pass, rc;

	/* pass 0: the datastores of the pattern; pass 1: the others */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; dss != NULL && i < dss->n; i++) {
			const struct vs_disk_ds *d = &dss->items[i];

			if (!d->usable)
				continue;
			rc = vs_disk_ds_wanted(&wanted, d, pattern, NULL, 0,
			                       err);
			if (rc != 0)
				return rc;
			if (wanted != (pass == 0))
				continue;
			rc = try_ds(out, d, ctx, err);
			if (rc != ERR_ENOTFOUND ||
			    err_is_set(err) != was_set)
				return rc;
		}
	}
	return ERR_ENOTFOUND;
}
