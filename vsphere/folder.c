/*
 * vsphere/folder.c: VM folders and inventory paths (see vm.h): path
 * building and checking, lookups by inventory path or by name, and the
 * one CreateFolder.
 */
#include "vsphere/vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"

#define MAX_NAME 1024           /* one inventory path component */
#define MAX_PATH 4096           /* a whole inventory path */

/* One inventory path component: non-empty text, no '/', no '%' (the
 * escape character of inventory paths), no control characters. */
static int
check_component(const char *s, const char *what, struct err *err)
{
	size_t len;

	len = s != NULL ? strnlen(s, MAX_NAME + 1) : 0;
	if (len == 0)
		return err_set(err, ERR_EINVAL, "%s: empty name", what);
	if (len > MAX_NAME)
		return err_set(err, ERR_EINVAL, "%s: name too long", what);
	if (!vs_utf8_valid(s, len, false))
		return err_set(err, ERR_EINVAL, "%s: name is not valid "
		               "text", what);
	if (strchr(s, '/') != NULL || strchr(s, '%') != NULL)
		return err_set(err, ERR_EINVAL, "%s: name may not hold "
		               "'/' or '%%'", what);
	return 0;
}

/* A '/' separated path of components (no leading, trailing or double
 * '/'). */
static int
check_rel_path(const char *s, const char *what, struct err *err)
{
	char buf[MAX_PATH + 1];
	char *p, *slash;
	size_t len;
	int rc;

	len = s != NULL ? strnlen(s, MAX_PATH + 1) : 0;
	if (len == 0)
		return err_set(err, ERR_EINVAL, "%s: empty path", what);
	if (len > MAX_PATH)
		return err_set(err, ERR_EINVAL, "%s: path too long", what);
	memcpy(buf, s, len + 1);
	p = buf;
	for (;;) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		rc = check_component(p, what, err);
		if (rc != 0 || slash == NULL)
			return rc;
		p = slash + 1;
	}
}

static int
join(char **out, const char *a, const char *b, const char *c,
     struct err *err)
{
	size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
	size_t lc = c != NULL ? strlen(c) : 0;
	char *s;

	*out = NULL;
	if (la + lb + lc + 3 > MAX_PATH)
		return err_set(err, ERR_EINVAL, "inventory path too long");
	s = malloc(la + lb + lc + 3);
	if (s == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	memcpy(s, a, la);
	if (b != NULL) {
		s[la] = '/';
		memcpy(s + la + 1, b, lb);
		la += lb + 1;
	}
	if (c != NULL) {
		s[la] = '/';
		memcpy(s + la + 1, c, lc);
		la += lc + 1;
	}
	s[la] = '\0';
	*out = s;
	return 0;
}

int
vs_folder_rel_path(char **out, const char *folder, const char *sub_folder,
                   struct err *err)
{
	int rc;

	*out = NULL;
	rc = check_rel_path(folder, "folder", err);
	if (rc == 0 && sub_folder != NULL)
		rc = check_component(sub_folder, "sub folder", err);
	if (rc == 0)
		rc = join(out, folder, sub_folder, NULL, err);
	return rc;
}

int
vs_vm_path(char **out, const char *dc, const char *folder_rel,
           const char *name, struct err *err)
{
	char *base = NULL;
	int rc;

	*out = NULL;
	rc = check_component(dc, "datacenter", err);
	if (rc == 0 && folder_rel != NULL && folder_rel[0] != '\0')
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = check_component(name, "VM name", err);
	if (rc == 0)
		rc = join(&base, dc, "vm", NULL, err);
	if (rc == 0)
		rc = join(out, base, folder_rel != NULL &&
		          folder_rel[0] != '\0' ? folder_rel : NULL, name, err);
	free(base);
	return rc;
}

int
vs_folder_path(char **out, const char *dc, const char *folder_rel,
               struct err *err)
{
	bool rel = folder_rel != NULL && folder_rel[0] != '\0';
	int rc;

	*out = NULL;
	rc = check_component(dc, "datacenter", err);
	if (rc == 0 && rel)
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = join(out, dc, "vm", rel ? folder_rel : NULL, err);
	return rc;
}

int
vs_folder_find(struct vs_moref *out, struct vs_client *c,
               const char *inventory_path, struct err *err)
{
	return vs_find_by_inventory_path(out, c, inventory_path, err);
}

int
vs_vm_find(struct vs_moref *out, struct vs_client *c,
           const char *inventory_path, struct err *err)
{
	int rc;

	rc = vs_find_by_inventory_path(out, c, inventory_path, err);
	if (rc == 0 && strcmp(out->type, "VirtualMachine") != 0) {
		rc = err_set(err, ERR_ENOTFOUND, "%s: a %s, not a VM",
		             inventory_path, out->type);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

/* The object of list of type `type` named name under parent (NULL: any
 * parent), after *from (an index; the next one looked at is *from).
 * NULL when there is none. */
static const struct vs_object *
next_named(const struct vs_objects *list, size_t *from, const char *type,
           const char *name, const struct vs_moref *parent)
{
	struct err local;
	struct vs_moref p;
	const char *n;

	for (; *from < list->n; (*from)++) {
		const struct vs_object *o = &list->items[*from];

		err_clear(&local);
		if (strcmp(o->obj.type, type) != 0 ||
		    vs_object_get_str(&n, o, "name", &local) != 0 ||
		    strcmp(n, name) != 0)
			continue;
		if (parent != NULL &&
		    (vs_object_get_moref(&p, o, "parent", &local) != 0 ||
		     !vs_moref_eq(&p, parent)))
			continue;
		return &list->items[(*from)++];
	}
	return NULL;
}

/* The VMs of list named name: *nfound of them, *out the first. */
static int
count_named(struct vs_moref *out, size_t *nfound,
            const struct vs_objects *list, const char *name,
            struct err *err)
{
	const struct vs_object *o;
	size_t i = 0;

	while ((o = next_named(list, &i, "VirtualMachine", name,
	                       NULL)) != NULL) {
		if ((*nfound)++ == 0)
			*out = o->obj;
	}
	if (*nfound == 0)
		return err_set(err, ERR_ENOTFOUND, "no VM named '%s'", name);
	return 0;
}

int
vs_vm_find_by_name(struct vs_moref *out, size_t *nfound,
                   struct vs_client *c, const struct vs_moref *container,
                   const char *name, struct err *err)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	*nfound = 0;
	rc = vs_pc_list(&list, c, container, "VirtualMachine", paths, err);
	if (rc == 0)
		rc = count_named(out, nfound, list, name, err);
	vs_objects_free(list);
	return rc;
}

/* Whether "<dc>/vm/<rel>" is a chain of folders in list (as
 * vs_pc_list_vm_tree() reads it): dc's vmFolder, then each component of
 * rel a folder of that name whose parent is the one before. */
static bool
folder_in_tree(const struct vs_objects *list, const struct vs_moref *dc,
               const char *rel)
{
	const struct vs_object *o = NULL;
	struct vs_moref cur;
	struct err local = {0};
	char buf[1024], *comp, *next;
	size_t i;

	for (i = 0; o == NULL && i < list->n; i++)
		if (vs_moref_eq(&list->items[i].obj, dc))
			o = &list->items[i];
	if (o == NULL ||
	    vs_object_get_moref(&cur, o, "vmFolder", &local) != 0 ||
	    rel == NULL || strlen(rel) >= sizeof(buf))
		return false;
	strcpy(buf, rel);
	for (comp = buf; comp != NULL && comp[0] != '\0'; comp = next) {
		next = strchr(comp, '/');
		if (next != NULL)
			*next++ = '\0';
		i = 0;
		o = next_named(list, &i, "Folder", comp, &cur);
		if (o == NULL)
			return false;
		cur = o->obj;
	}
	return comp == NULL;
}

int
vs_vm_find_by_name_in_dc(struct vs_moref *out, size_t *nfound,
                         bool *folder_found, struct vs_client *c,
                         const struct vs_moref *dc, const char *name,
                         const char *folder_rel, struct err *err)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	*nfound = 0;
	*folder_found = false;
	rc = vs_pc_list_vm_tree(&list, c, dc, paths, err);
	if (rc == 0) {
		*folder_found = folder_in_tree(list, dc, folder_rel);
		rc = count_named(out, nfound, list, name, err);
	}
	vs_objects_free(list);
	return rc;
}

int
vs_folder_create(struct vs_moref *out, struct vs_client *c,
                 const struct vs_moref *parent, const char *name,
                 struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	int rc;

	rc = vs_soap_request_new(&req, &m, "CreateFolder", parent, err);
	if (rc < 0)
		goto cleanup;
	if (vs_soap_add_text(m, "name", name) == NULL) {
		rc = err_set(err, ERR_EINVAL, "CreateFolder: bad name");
		goto cleanup;
	}
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc == 0)
		rc = vs_xml_moref(out, vs_xml_child(r, "returnval"), err);
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

static int
expect_folder(const struct vs_moref *ref, const char *path,
              struct err *err)
{
	if (strcmp(ref->type, "Folder") != 0)
		return err_set(err, ERR_EINVAL, "%s is a %s, not a folder",
		               path, ref->type);
	return 0;
}

/* The folder name under parent, at path, made (a DuplicateName from a
 * racing process is answered by looking it up). */
static int
create_one(struct vs_moref *child, struct vs_client *c,
           const struct vs_moref *parent, const char *path, const char *name,
           struct err *err)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = vs_folder_create(child, c, parent, name, &e);
	if (rc != 0 && strcmp(e.fault, "DuplicateName") == 0) {
		vs_client_logf(c, 0, "CreateFolder %s: DuplicateName, "
		               "looking up again", path);
		err_clear(&e);
		rc = vs_find_by_inventory_path(child, c, path, &e);
	}
	if (rc != 0) {
		err_keep_first(err, &e);
		err_prefix(err, "folder %s", path);
		return rc;
	}
	return expect_folder(child, path, err);
}

/* The deepest folder that exists above the missing folder at path
 * ("<dc>/vm/a/b"): looked up one component shorter at a time, down to
 * "<dc>/vm" (base bytes of path), which must exist (vm_folder when known:
 * no lookup).  *len: the length of its path. */
static int
find_ancestor(struct vs_moref *out, size_t *len, struct vs_client *c,
              const char *path, size_t base,
              const struct vs_moref *vm_folder, struct err *err)
{
	char *p = strdup(path);
	struct err e;
	int rc;

	if (p == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	err_clear(&e);
	do {
		*strrchr(p, '/') = '\0';
		if (strlen(p) == base && vm_folder != NULL) {
			*out = *vm_folder;
			rc = 0;
			break;
		}
		err_clear(&e);
		rc = vs_find_by_inventory_path(out, c, p, &e);
	} while (rc == ERR_ENOTFOUND && strlen(p) > base);
	*len = strlen(p);
	if (rc == 0)
		rc = expect_folder(out, p, err);
	else
		err_keep_first(err, &e);
	free(p);
	return rc;
}

/* The missing folder at full ("<dc>/vm/<rel>", base bytes for "<dc>/vm"):
 * the components below its deepest existing ancestor made in order (the
 * children of a folder just made need no lookup). */
static int
make_path(struct vs_moref *out, struct vs_client *c, const char *full,
          size_t base, const struct vs_moref *vm_folder, struct err *err)
{
	struct vs_moref parent, child;
	char *path = NULL;
	const char *name, *end;
	size_t len = 0;
	int rc;

	rc = find_ancestor(&parent, &len, c, full, base, vm_folder, err);
	path = rc == 0 ? strdup(full) : NULL;
	if (rc == 0 && path == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
	while (rc == 0 && full[len] == '/') {
		name = full + len + 1;
		end = strchr(name, '/');
		len = end != NULL ? (size_t)(end - full) : strlen(full);
		path[len] = '\0';
		rc = create_one(&child, c, &parent, path, path + (name - full),
		                err);
		if (full[len] == '/')
			path[len] = '/';
		parent = child;
	}
	if (rc == 0)
		*out = parent;
	free(path);
	return rc;
}

int
vs_folder_ensure(struct vs_moref *out, struct vs_client *c, const char *dc,
                 const char *folder_rel, struct err *err)
{
	return vs_folder_ensure_in(out, c, NULL, dc, folder_rel, err);
}

int
vs_folder_ensure_in(struct vs_moref *out, struct vs_client *c,
                    const struct vs_moref *vm_folder, const char *dc,
                    const char *folder_rel, struct err *err)
{
	struct vs_moref child;
	struct err e;
	char *full = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	rc = check_component(dc, "datacenter", err);
	if (rc == 0)
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = join(&full, dc, "vm", folder_rel, err);
	if (rc != 0)
		goto cleanup;
	/* The common case: the folder is there (one round trip). */
	rc = vs_find_by_inventory_path(&child, c, full, &e);
	if (rc == 0) {
		rc = expect_folder(&child, full, err);
		if (rc == 0)
			*out = child;
	} else if (rc == ERR_ENOTFOUND) {
		rc = make_path(out, c, full, strlen(dc) + 3,
		               vm_folder != NULL && vm_folder->value[0] != '\0' ?
		               vm_folder : NULL, err);
	} else {
		err_keep_first(err, &e);
	}
cleanup:
	free(full);
	return rc;
}
