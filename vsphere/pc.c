/*
 * vsphere/pc.c: PropertyCollector reads with paging, container views and
 * SearchIndex lookups.
 */
#include "vsphere/pc.h"

#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "vsphere/soap_stream.h"

/* A hostile or broken server could hand out tokens forever. */
#define MAX_PAGES 10000
#define MAX_INVENTORY_PATH 4096

/* Where a page's objects go as the reply is parsed (vsphere/
 * soap_stream.h): appended to list from start on. */
struct page {
	struct vs_objects *list;
	size_t cap;
	size_t start;           /* list->n before the page */
	const char *const *optional;
	bool (*keep)(const char *type, const char *name, const void *ud);
	const void *keep_ud;
};

/* A page read again (after a re-login) drops what it gave before. */
static void
page_begin(void *ud)
{
	struct page *p = ud;

	while (p->list->n > p->start)
		vs_object_clear(&p->list->items[--p->list->n]);
}

static int
page_object(void *ud, xmlNodePtr objects, struct err *err)
{
	struct page *p = ud;
	const char *type, *name;
	int rc;

	if (p->keep != NULL) {
		vs_object_peek(&type, &name, objects);
		if (!p->keep(type, name, p->keep_ud))
			return 0;
	}
	if (array_grow((void **)&p->list->items, &p->cap, p->list->n + 1,
	               sizeof(*p->list->items), 16) < 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = vs_object_from_node(&p->list->items[p->list->n], objects,
	                         p->optional, err);
	if (rc < 0)
		return rc;
	p->list->n++;
	return 0;
}

/* Best effort: tells the collector we will not read the remaining pages. */
static void
cancel_token(struct vs_client *c, const char *token)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	struct err local;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;

	err_clear(&local);
	if (vs_soap_request_new(&req, &m, "CancelRetrievePropertiesEx",
	                        &sc->property_collector, &local) < 0)
		return;
	if (vs_soap_add_text(m, "token", token) == NULL) {
		xmlFreeDoc(req);
		return;
	}
	if (vs_client_call(c, req, &resp, &r, &local) < 0)
		vs_client_logf(c, 2, "CancelRetrievePropertiesEx: %s",
		               local.message);
	xmlFreeDoc(resp);
}

/* The first page's request: RetrievePropertiesEx of q. */
static int
first_request(xmlDocPtr *req, struct vs_client *c, const struct vs_pc_query *q,
              struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlNodePtr m;
	int rc;

	rc = vs_soap_request_new(req, &m, "RetrievePropertiesEx",
	                         &sc->property_collector, err);
	if (rc < 0)
		return rc;
	rc = vs_add_filter_spec(m, "specSet", &q->spec, err);
	if (rc == 0)
		rc = vs_add_retrieve_options(m, "options",
		                             q->max_objects > 0 ?
		                             q->max_objects : VS_PC_PAGE, err);
	return rc;
}

/* The next page's request: ContinueRetrievePropertiesEx of token. */
static int
next_request(xmlDocPtr *req, struct vs_client *c, const char *token,
             struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlNodePtr m;
	int rc;

	rc = vs_soap_request_new(req, &m, "ContinueRetrievePropertiesEx",
	                         &sc->property_collector, err);
	if (rc < 0)
		return rc;
	if (vs_soap_add_text(m, "token", token) == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

int
vs_pc_retrieve(struct vs_objects **out, struct vs_client *c,
               const struct vs_pc_query *q, struct err *err)
{
	struct page pg = { .optional = q->optional, .keep = q->keep,
	                   .keep_ud = q->keep_ud };
	struct vs_soap_stream st = { .objects = page_object,
	                             .begin = page_begin, .ud = &pg };
	xmlDocPtr req = NULL;
	char *token = NULL;
	int pages = 0, rc;

	*out = NULL;
	pg.list = calloc(1, sizeof(*pg.list));
	if (pg.list == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = first_request(&req, c, q, err);
	while (rc == 0) {
		pg.start = pg.list->n;
		rc = vs_client_call_stream(c, req, &st, err);
		req = NULL;
		/* the token even from a page that failed to parse (the
		 * server holds the rest until it is cancelled); a call that
		 * failed without one leaves the last token to cancel */
		if (rc == 0 || st.token != NULL) {
			free(token);
			token = st.token;
			st.token = NULL;
		}
		if (rc < 0 || token == NULL)
			break;
		if (++pages >= MAX_PAGES)
			rc = err_set(err, ERR_EPARSE,
			             "RetrievePropertiesEx: too many "
			             "pages");
		else
			rc = next_request(&req, c, token, err);
	}
	if (rc < 0 && token != NULL)
		cancel_token(c, token);
	free(token);
	xmlFreeDoc(req);
	if (rc < 0) {
		vs_objects_free(pg.list);
		return rc;
	}
	*out = pg.list;
	return 0;
}

int
vs_get_props(struct vs_object **out, struct vs_client *c,
             const struct vs_moref *obj, const char *const *paths,
             struct err *err)
{
	struct vs_property_spec ps = { .type = obj->type, .paths = paths };
	struct vs_object_spec os = { .obj = *obj, .skip = false };
	struct vs_pc_query q = {
		.spec = { .props = &ps, .nprops = 1,
		          .objects = &os, .nobjects = 1 },
		.max_objects = 1,
	};
	struct vs_objects *list = NULL;
	struct err local;
	int rc;

	*out = NULL;
	err_clear(&local);
	rc = vs_pc_retrieve(&list, c, &q, &local);
	if (rc < 0) {
		if (strcmp(local.fault, "ManagedObjectNotFound") == 0 &&
		    !err_is_set(err)) {
			rc = err_set(err, ERR_ENOTFOUND, "%s %s: not found",
			             obj->type, obj->value);
			if (err != NULL)
				memcpy(err->fault, local.fault,
				       sizeof(err->fault));
		} else {
			err_keep_first(err, &local);
		}
		goto cleanup;
	}
	if (list->n == 0) {
		rc = err_set(err, ERR_ENOTFOUND, "%s %s: not found",
		             obj->type, obj->value);
		goto cleanup;
	}
	if (strcmp(list->items[0].obj.type, obj->type) != 0 ||
	    strcmp(list->items[0].obj.value, obj->value) != 0) {
		rc = err_set(err, ERR_EPARSE,
		             "asked for %s %s, got %s %s", obj->type,
		             obj->value, list->items[0].obj.type,
		             list->items[0].obj.value);
		goto cleanup;
	}
	*out = malloc(sizeof(**out));
	if (*out == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	**out = list->items[0];
	memset(&list->items[0], 0, sizeof(list->items[0]));
cleanup:
	vs_objects_free(list);
	return rc;
}

/* Sends req (consumed) and reads the reply's returnval as a moref into
 * *out; *found false (and 0) when the reply has none. */
static int
call_moref(struct vs_moref *out, bool *found, struct vs_client *c,
           xmlDocPtr req, struct err *err)
{
	xmlDocPtr resp = NULL;
	xmlNodePtr r, rv;
	int rc;

	*found = false;
	rc = vs_client_call(c, req, &resp, &r, err);
	if (rc == 0) {
		rv = vs_xml_child(r, "returnval");
		*found = rv != NULL;
		if (rv != NULL)
			rc = vs_xml_moref(out, rv, err);
	}
	xmlFreeDoc(resp);
	return rc;
}

int
vs_view_create(struct vs_moref *view_out, struct vs_client *c,
               const struct vs_moref *container, const char *const *types,
               bool recursive, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	bool found;
	size_t i;
	int rc;

	memset(view_out, 0, sizeof(*view_out));
	rc = vs_soap_request_new(&req, &m, "CreateContainerView",
	                         &sc->view_manager, err);
	if (rc < 0)
		goto cleanup;
	if (vs_soap_add_moref(m, "container", container) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; types != NULL && types[i] != NULL; i++) {
		if (vs_soap_add_text(m, "type", types[i]) == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if (vs_soap_add_bool(m, "recursive", recursive) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = call_moref(view_out, &found, c, req, err);
	req = NULL;
	if (rc == 0 && !found)
		rc = err_set(err, ERR_EPARSE,
		             "CreateContainerView: no view returned");
cleanup:
	xmlFreeDoc(req);
	return rc;
}

int
vs_view_destroy(struct vs_client *c, const struct vs_moref *view,
                struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	int rc;

	rc = vs_soap_request_new(&req, &m, "DestroyView", view, err);
	if (rc < 0)
		return rc;
	rc = vs_client_call(c, req, &resp, &r, err);
	xmlFreeDoc(resp);
	return rc;
}

/* The VMs below a folder in one read: Folder.childEntity recursively,
 * the VMs of the vApps found there (VirtualApp.vm) and the vm folders of
 * the datacenters found there (from the root folder); from a datacenter,
 * its vm folder first.  (A vApp nested in a vApp is not
 * walked: ResourcePool.resourcePool would also lead from every VM to its
 * pool's other VMs wherever the type of a TraversalSpec is not checked,
 * as in the simulator.) */
static const struct vs_selection_spec vm_ref_f = { .name = "f" };
static const struct vs_selection_spec vm_next[] = {
	{ .name = "f" }, { .name = "vaVm" }, { .name = "dcV" },
};
/* f: a folder's children; vaVm: a vApp's VMs; dcV: a datacenter (a
 * child of a folder above it, or the container) into its vm folder */
#define VM_WALK                                                         \
	{ .name = "f", .type = "Folder", .path = "childEntity",         \
	  .select = vm_next, .nselect = 3 },                            \
	{ .name = "vaVm", .type = "VirtualApp", .path = "vm" },         \
	{ .name = "dcV", .type = "Datacenter", .path = "vmFolder",      \
	  .select = &vm_ref_f, .nselect = 1 }
static const struct vs_selection_spec vm_walk_folder[] = { VM_WALK };
static const struct vs_selection_spec vm_walk_dc[] = {
	{ .name = "dcV", .type = "Datacenter", .path = "vmFolder",
	  .select = &vm_ref_f, .nselect = 1 },
	{ .name = "f", .type = "Folder", .path = "childEntity",
	  .select = vm_next, .nselect = 3 },
	{ .name = "vaVm", .type = "VirtualApp", .path = "vm" },
};

static int
list_vms(struct vs_objects **out, struct vs_client *c,
         const struct vs_moref *container, const char *const *paths,
         struct err *err)
{
	const struct vs_property_spec ps = {
		.type = "VirtualMachine", .paths = paths,
	};
	bool dc = strcmp(container->type, "Datacenter") == 0;
	struct vs_object_spec os = {
		.obj = *container, .skip = true,
		.select = dc ? vm_walk_dc : vm_walk_folder,
		.nselect = 3,
	};
	struct vs_pc_query q = {
		.spec = { .props = &ps, .nprops = 1, .objects = &os,
		          .nobjects = 1 },
	};

	return vs_pc_retrieve(out, c, &q, err);
}

int
vs_pc_list_vm_tree(struct vs_objects **out, struct vs_client *c,
                   const struct vs_moref *dc, const char *const *vm_paths,
                   struct err *err)
{
	static const char *const folder_paths[] = { "name", "parent", NULL };
	static const char *const dc_paths[] = { "vmFolder", NULL };
	const struct vs_property_spec ps[] = {
		{ .type = "VirtualMachine", .paths = vm_paths },
		{ .type = "Folder", .paths = folder_paths },
		{ .type = "Datacenter", .paths = dc_paths },
	};
	const struct vs_object_spec os = {
		.obj = *dc, .skip = false, .select = vm_walk_dc, .nselect = 3,
	};
	const struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = 3, .objects = &os,
		          .nobjects = 1 },
	};

	*out = NULL;
	if (strcmp(dc->type, "Datacenter") != 0)
		return err_set(err, ERR_EINVAL, "%s is no datacenter",
		               dc->value);
	return vs_pc_retrieve(out, c, &q, err);
}

int
vs_pc_list(struct vs_objects **out, struct vs_client *c,
           const struct vs_moref *container, const char *type,
           const char *const *paths, struct err *err)
{
	const char *types[] = { type, NULL };
	struct vs_moref view;
	struct err local;
	int rc, drc;

	*out = NULL;
	if (strcmp(type, "VirtualMachine") == 0 &&
	    (strcmp(container->type, "Folder") == 0 ||
	     strcmp(container->type, "Datacenter") == 0))
		return list_vms(out, c, container, paths, err);
	rc = vs_view_create(&view, c, container, types, true, err);
	if (rc < 0)
		return rc;
	{
		struct vs_selection_spec ts = {
			.name = "view", .type = "ContainerView",
			.path = "view", .skip = false,
		};
		struct vs_property_spec ps = { .type = type, .paths = paths };
		struct vs_object_spec os = {
			.obj = view, .skip = true, .select = &ts, .nselect = 1,
		};
		struct vs_pc_query q = {
			.spec = { .props = &ps, .nprops = 1,
			          .objects = &os, .nobjects = 1 },
		};

		rc = vs_pc_retrieve(out, c, &q, err);
	}
	/* Always destroyed; a failure here only leaks a per-session object
	 * that Logout removes, so it is logged, not returned. */
	err_clear(&local);
	drc = vs_view_destroy(c, &view, &local);
	if (drc < 0)
		vs_client_logf(c, 2, "DestroyView %s: %s", view.value,
		               local.message);
	return rc;
}

int
vs_find_by_inventory_path(struct vs_moref *out, struct vs_client *c,
                          const char *path, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	bool found;
	size_t i, len;
	int rc;

	memset(out, 0, sizeof(*out));
	len = path != NULL ? strnlen(path, MAX_INVENTORY_PATH + 1) : 0;
	if (len == 0 || len > MAX_INVENTORY_PATH)
		return err_set(err, ERR_EINVAL, "bad inventory path");
	for (i = 0; i < len; i++) {
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return err_set(err, ERR_EINVAL,
			               "control character in inventory "
			               "path");
	}
	rc = vs_soap_request_new(&req, &m, "FindByInventoryPath",
	                         &sc->search_index, err);
	if (rc < 0)
		goto cleanup;
	if (vs_soap_add_text(m, "inventoryPath", path) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = call_moref(out, &found, c, req, err);
	req = NULL;
	if (rc == 0 && !found)
		rc = err_set(err, ERR_ENOTFOUND, "%s: not found", path);
cleanup:
	xmlFreeDoc(req);
	return rc;
}
