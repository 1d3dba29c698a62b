/*
 * vsphere/vim_info.c: HttpNfcLease info and DatastoreSummary read into
 * owned structs (vim.h).
 */
#include "vsphere/vim_int.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
vs_lease_state_parse(int *out, const char *s, struct err *err)
{
	*out = 0;
	if (s != NULL && strcmp(s, "initializing") == 0)
		*out = VS_LEASE_INITIALIZING;
	else if (s != NULL && strcmp(s, "ready") == 0)
		*out = VS_LEASE_READY;
	else if (s != NULL && strcmp(s, "done") == 0)
		*out = VS_LEASE_DONE;
	else if (s != NULL && strcmp(s, "error") == 0)
		*out = VS_LEASE_ERROR;
	else
		return err_set(err, ERR_EPARSE, "unknown lease state");
	return 0;
}

void
vs_lease_info_free(struct vs_lease_info *li)
{
	size_t i;

	if (li == NULL)
		return;
	for (i = 0; i < li->nurls; i++) {
		free(li->urls[i].key);
		free(li->urls[i].import_key);
		free(li->urls[i].url);
		free(li->urls[i].target_id);
	}
	free(li->urls);
	free(li);
}

static int
lease_url(struct vs_lease_url *u, xmlNodePtr n, struct err *err)
{
	bool present;
	int rc;

	rc = vs_vim__child_text(&u->key, n, "key", true, err);
	if (rc == 0)
		rc = vs_vim__child_text(&u->import_key, n, "importKey", true,
		                        err);
	if (rc == 0)
		rc = vs_vim__child_text(&u->url, n, "url", true, err);
	if (rc == 0)
		rc = vs_vim__child_text(&u->target_id, n, "targetId", false,
		                        err);
	if (rc == 0)
		rc = vs_vim__child_bool(&u->disk, &present, n, "disk", err);
	return rc;
}

int
vs_lease_info_from_node(struct vs_lease_info **out, xmlNodePtr val,
                        struct err *err)
{
	struct vs_lease_info *li;
	bool present;
	size_t n;
	xmlNodePtr k;
	int rc;

	*out = NULL;
	li = calloc(1, sizeof(*li));
	if (li == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = vs_vim__child_moref(&li->entity, NULL, val, "entity", err);
	if (rc < 0)
		goto cleanup;
	rc = vs_vim__child_long(&li->total_disk_kb, &present, val,
	                        "totalDiskCapacityInKB", 0, LLONG_MAX, err);
	if (rc < 0)
		goto cleanup;
	n = vs_vim__count_children(val, "deviceUrl");
	if (n > MAX_LIST) {
		rc = err_set(err, ERR_EPARSE, "too many device URLs");
		goto cleanup;
	}
	if (n > 0) {
		li->urls = calloc(n, sizeof(*li->urls));
		if (li->urls == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = vs_xml_child(val, "deviceUrl"); k != NULL;
	     k = vs_xml_next(k, "deviceUrl")) {
		rc = lease_url(&li->urls[li->nurls], k, err);
		li->nurls++;
		if (rc < 0) {
			err_prefix(err, "lease deviceUrl %zu", li->nurls);
			goto cleanup;
		}
	}
	*out = li;
	li = NULL;
cleanup:
	vs_lease_info_free(li);
	return rc;
}

void
vs_ds_summary_free(struct vs_ds_summary *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->url);
	free(s->type);
	free(s->maintenance_mode);
	free(s);
}

int
vs_ds_summary_from_node(struct vs_ds_summary **out, xmlNodePtr val,
                        struct err *err)
{
	struct vs_ds_summary *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = vs_vim__child_moref(&s->datastore, &s->has_datastore, val,
	                         "datastore", err);
	if (rc == 0)
		rc = vs_vim__child_text(&s->name, val, "name", true, err);
	if (rc == 0)
		rc = vs_vim__child_text(&s->url, val, "url", true, err);
	if (rc == 0)
		rc = vs_vim__child_long(&s->capacity, NULL, val, "capacity", 0,
		                        LLONG_MAX, err);
	if (rc == 0)
		rc = vs_vim__child_long(&s->free_space, NULL, val, "freeSpace",
		                        0, LLONG_MAX, err);
	if (rc == 0)
		rc = vs_vim__child_bool(&s->accessible, NULL, val, "accessible",
		                        err);
	if (rc == 0)
		rc = vs_vim__child_text(&s->type, val, "type", true, err);
	if (rc == 0)
		rc = vs_vim__child_text(&s->maintenance_mode, val,
		                        "maintenanceMode", false, err);
	if (rc < 0) {
		err_prefix(err, "datastore summary");
		vs_ds_summary_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
