/*
 * vsphere/disk_find.c: the VMs that use a disk, and a disk found where
 * it is attached or by a datastore search (disk.h).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"

/* The file name of VM o's VirtualDisk named want into *file, borrowed
 * from *devs (the caller frees it); NULL when it has none or no config
 * yet. */
static int
vm_disk_file(const char **file, struct vs_devices **devs,
             const struct vs_object *o, const char *want,
             struct err *err)
{
	struct err e;
	size_t j;
	int rc;

	*file = NULL;
	*devs = NULL;
	err_clear(&e);
	rc = vs_object_get_devices(devs, o, "config.hardware.device", &e);
	if (rc == ERR_ENOTFOUND) {
		*devs = NULL;
		return 0;       /* no config (being created) */
	}
	if (rc != 0) {
		err_prefix(&e, "VM %s", o->obj.value);
		err_keep_first(err, &e);
		return rc;
	}
	for (j = 0; j < (*devs)->n && *file == NULL; j++) {
		const struct vs_device *d = &(*devs)->items[j];

		if (strcmp(d->type, "VirtualDisk") == 0 &&
		    d->file_name != NULL &&
		    strcmp(vs_disk__base_name(d->file_name), want) == 0)
			*file = d->file_name;
	}
	return 0;
}

/* Adds the name of VM o (its moref when it has none) to names, which
 * has room. */
static int
add_name(struct vs_vm_names *names, const struct vs_object *o,
         struct err *err)
{
	struct err e;
	const char *name = NULL;

	err_clear(&e);
	if (vs_object_get_str(&name, o, "name", &e) != 0)
		name = o->obj.value;
	return vs_vm_names_add(names, name, err);
}

int
vs_disk_users(struct vs_vm_names **out, struct vs_client *c,
              const struct vs_moref *folder, const char *cid,
              struct err *err)
{
	static const char *const paths[] = {
		"name", "config.hardware.device", NULL,
	};
	struct vs_objects *list = NULL;
	struct vs_vm_names *names = NULL;
	char want[VS_DISK_CID_MAX + 8];
	size_t i;
	int rc;

	*out = NULL;
	if (!vs_disk_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a disk cid of this "
		               "CPI");
	snprintf(want, sizeof(want), "%s.vmdk", cid);
	rc = vs_disk__check_ref(folder, "disk users", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, folder, "VirtualMachine", paths, err);
	if (rc != 0)
		goto cleanup;
	names = calloc(1, sizeof(*names));
	if (names != NULL && list->n > 0)
		names->items = calloc(list->n, sizeof(char *));
	if (names == NULL || (list->n > 0 && names->items == NULL)) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; rc == 0 && i < list->n; i++) {
		struct vs_devices *devs = NULL;
		const char *file = NULL;

		rc = vm_disk_file(&file, &devs, &list->items[i], want, err);
		if (rc == 0 && file != NULL)
			rc = add_name(names, &list->items[i], err);
		vs_devices_free(devs);
	}
	if (rc == 0) {
		*out = names;
		names = NULL;
	}
cleanup:
	vs_vm_names_free(names);
	vs_objects_free(list);
	return rc;
}

/* The file of the first VirtualDisk named want among list's VMs' devices
 * (malloc'd into *out, NULL when none). */
static int
attached_file(char **out, const struct vs_objects *list, const char *want,
              struct err *err)
{
	size_t i;
	int rc = 0;

	*out = NULL;
	for (i = 0; rc == 0 && i < list->n && *out == NULL; i++) {
		struct vs_devices *devs = NULL;
		const char *file = NULL;

		rc = vm_disk_file(&file, &devs, &list->items[i], want, err);
		if (rc == 0 && file != NULL) {
			*out = strdup(file);
			if (*out == NULL)
				rc = err_set(err, ERR_ENOMEM,
				             "out of memory");
		}
		vs_devices_free(devs);
	}
	return rc;
}

int
vs_disk_find_attached(struct vs_disk_loc *out, struct vs_client *c,
                      const struct vs_moref *dc,
                      const struct vs_moref *folder,
                      const struct vs_disk_dss *dss, const char *cid,
                      struct err *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	struct vs_objects *list = NULL;
	struct vs_ds_path where = { 0 };
	const struct vs_disk_ds *ds = NULL;
	struct err e;
	char want[VS_DISK_CID_MAX + 8], *file = NULL, *uuid = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	if (!vs_disk_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a disk cid");
	snprintf(want, sizeof(want), "%s.vmdk", cid);
	rc = vs_disk__check_ref(folder, "disk attachments", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, folder, "VirtualMachine", paths, err);
	if (rc == 0)
		rc = attached_file(&file, list, want, err);
	if (rc == 0 && file == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "disk %s: attached to no "
		             "VM", cid);
	if (rc == 0)
		rc = vs_ds_path_parse(&where, file, err);
	for (i = 0; rc == 0 && dss != NULL && i < dss->n; i++) {
		if (strcmp(dss->items[i].name, where.datastore) == 0)
			ds = &dss->items[i];
	}
	if (rc == 0 && ds == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "disk %s: attached as %s, "
		             "a datastore of no datacenter's", cid, file);
	if (rc == 0) {
		rc = vs_disk_query_uuid(&uuid, c, dc, file, &e);
		if (rc != 0)
			err_keep_first(err, &e);
	}
	if (rc == 0) {
		rc = vs_disk__loc_fill(out, ds, file, uuid, err);
		file = uuid = NULL;
	}
	free(uuid);
	free(file);
	vs_ds_path_clear(&where);
	vs_objects_free(list);
	return rc;
}

/* "<folder><want>" into *out: "[ds]" (the root), "[ds] dir" or
 * "[ds] dir/" joined to the file name. */
static int
join_folder(char **out, const char *folder, const char *want,
            struct err *err)
{
	size_t len = strlen(folder), size = len + strlen(want) + 2;

	*out = malloc(size);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(*out, size, "%s%s%s", folder,
	         len == 0 || folder[len - 1] == '/' ||
	         folder[len - 1] == ' ' ? "" :
	         folder[len - 1] == ']' ? " " : "/", want);
	return 0;
}

/* Whether one HostDatastoreBrowserSearchResults lists a file named
 * want. */
static int
lists_file(bool *out, xmlNodePtr r, const char *want, struct err *err)
{
	xmlNodePtr f;
	char *path;

	*out = false;
	for (f = vs_xml_child(r, "file"); f != NULL && !*out;
	     f = vs_xml_next(f, "file")) {
		if (vs_vim_opt_text(&path, f, "path") != 0)
			return err_set(err, ERR_ENOMEM, "out of memory");
		*out = path != NULL && strcmp(path, want) == 0;
		xmlFree(path);
	}
	return 0;
}

/* "<folderPath><want>" of the first file named want in the search
 * results node (ArrayOfHostDatastoreBrowserSearchResults), or NULL. */
static int
search_hit(char **out, xmlNodePtr results, const char *want,
           struct err *err)
{
	xmlNodePtr r;
	char *folder = NULL;
	bool hit = false;
	int rc = 0;

	*out = NULL;
	for (r = vs_xml_child(results, "HostDatastoreBrowserSearchResults");
	     rc == 0 && r != NULL && *out == NULL;
	     r = vs_xml_next(r, "HostDatastoreBrowserSearchResults")) {
		if (vs_vim_opt_text(&folder, r, "folderPath") != 0)
			return err_set(err, ERR_ENOMEM, "out of memory");
		if (folder != NULL)
			rc = lists_file(&hit, r, want, err);
		if (rc == 0 && hit)
			rc = join_folder(out, folder, want, err);
		xmlFree(folder);
	}
	return rc;
}

/* The path of want anywhere on datastore ds, or *out NULL. */
static int
search_datastore(char **out, struct vs_client *c, const struct vs_disk_ds *ds,
                 const char *want, struct err *err)
{
	static const char *const bpaths[] = { "browser", NULL };
	static const char *const rpaths[] = { "info.result", NULL };
	struct vs_object *o = NULL, *t = NULL;
	struct vs_moref browser, task;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, spec, r, node;
	char root[300];
	int rc;

	*out = NULL;
	if (snprintf(root, sizeof(root), "[%s]", ds->name) >= (int)sizeof(root))
		return err_set(err, ERR_EINVAL, "datastore name too long");
	rc = vs_get_props(&o, c, &ds->ref, bpaths, err);
	if (rc == 0)
		rc = vs_object_get_moref(&browser, o, "browser", err);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "SearchDatastoreSubFolders_Task",
		                         &browser, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_text(m, "datastorePath", root);
	spec = vs_soap_add_obj(m, "searchSpec",
	                       "HostDatastoreBrowserSearchSpec");
	vs_soap_add_text(spec, "matchPattern", want);
	rc = vs_client_call(c, req, &resp, &r, err);
	if (rc == 0)
		rc = vs_xml_moref(&task, vs_xml_child(r, "returnval"), err);
	if (rc == 0)
		rc = vs_task_wait(NULL, c, &task, VS_DISK_TASK_TIMEOUT_S, err);
	if (rc == 0)
		rc = vs_get_props(&t, c, &task, rpaths, err);
	if (rc == 0 && vs_object_get_node(&node, t, "info.result", err) == 0)
		rc = search_hit(out, node, want, err);
	else if (rc == 0)
		err_clear(err);    /* no result: nothing found */
cleanup:
	xmlFreeDoc(resp);
	vs_object_free(t);
	vs_object_free(o);
	return rc;
}

struct search_ctx {
	struct vs_client *c;
	const struct vs_moref *dc;
	char want[VS_DISK_CID_MAX + 8];
};

/* One datastore tried by vs_disk_search_name. */
static int
search_one(struct vs_disk_loc *out, const struct vs_disk_ds *d, void *ctx,
           struct err *err)
{
	const struct search_ctx *x = ctx;
	struct err e;
	char *path = NULL, *uuid = NULL;
	int rc;

	err_clear(&e);
	rc = search_datastore(&path, x->c, d, x->want, &e);
	if (rc != 0) {
		err_prefix(&e, "searching %s", d->name);
		err_keep_first(err, &e);
		return rc;
	}
	if (path == NULL)
		return ERR_ENOTFOUND;
	rc = vs_disk_query_uuid(&uuid, x->c, x->dc, path, &e);
	if (rc != 0) {
		free(path);
		err_keep_first(err, &e);
		return rc;
	}
	return vs_disk__loc_fill(out, d, path, uuid, err);
}

int
vs_disk_search_name(struct vs_disk_loc *out, struct vs_client *c,
                    const struct vs_moref *dc, const struct vs_disk_dss *dss,
                    const char *pattern, const char *cid,
                    struct err *err)
{
	struct search_ctx x = { c, dc, "" };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!vs_disk_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a disk cid");
	snprintf(x.want, sizeof(x.want), "%s.vmdk", cid);
	rc = vs_disk__each_candidate(out, dss, pattern, search_one, &x, err);
	if (rc == ERR_ENOTFOUND)
		rc = err_set(err, ERR_ENOTFOUND, "disk %s: no datastore "
		             "holds %s", cid, x.want);
	return rc;
}
