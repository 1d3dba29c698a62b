/*
 * vsphere/custom_field.c: custom fields on VMs (see vm.h): the
 * CustomFieldsManager's definitions, AddCustomFieldDef when one is
 * missing (a racing definer is answered by reading again), setCustomValue
 * and the value read back.
 */
#include "vsphere/vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/vm_internal.h"

struct field_def {
	long long key;
	char *name;
	char mo_type[64];       /* "" when the field is global */
};

struct field_defs {
	struct field_def *items;
	size_t n;
};

static void
field_defs_clear(struct field_defs *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->items[i].name);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

/* An ArrayOfCustomFieldDef value (prop may be NULL: no fields). */
static int
field_defs_from_prop(struct field_defs *out, const struct vs_prop *p,
                     struct err *err)
{
	xmlNodePtr n;
	size_t cap = 0, count = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (p == NULL || p->kind == VS_PROP_MISSING)
		return 0;
	if (p->kind == VS_PROP_TEXT && (p->text == NULL ||
	                                p->text[0] == '\0'))
		return 0;
	if (p->kind != VS_PROP_NODE)
		return err_set(err, ERR_EPARSE, "custom field "
		               "definitions: unexpected value");
	cap = vs_xml_count(p->node, "CustomFieldDef");
	if (cap == 0)
		return 0;
	out->items = calloc(cap, sizeof(*out->items));
	if (out->items == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (n = vs_xml_child(p->node, "CustomFieldDef"); n != NULL;
	     n = vs_xml_next(n, "CustomFieldDef")) {
		struct field_def *f = &out->items[count];
		char buf[32];
		char *name;

		rc = vs_xml_child_copy(buf, sizeof(buf), n, "key");
		if (rc == 0)
			rc = vs_parse_long(&f->key, buf, -2147483648LL,
			                   2147483647LL, err);
		else
			rc = err_set(err, ERR_EPARSE, "custom field "
			             "definition without a key");
		if (rc != 0)
			goto fail;
		name = vs_xml_child_text(n, "name");
		if (name == NULL) {
			rc = err_set(err, ERR_EPARSE, "custom field "
			             "definition without a name");
			goto fail;
		}
		f->name = strdup(name);
		xmlFree(name);
		if (f->name == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto fail;
		}
		if (vs_xml_child_copy(f->mo_type, sizeof(f->mo_type), n,
		                      "managedObjectType") != 0)
			f->mo_type[0] = '\0';
		out->n = ++count;
	}
	return 0;
fail:
	field_defs_clear(out);
	return rc;
}

static int
read_field_defs(struct field_defs *out, struct vs_client *c,
                struct err *err)
{
	static const char *const paths[] = { "field", NULL };
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_object *o = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_vm__check_ref(&sc->custom_fields_manager,
	                      "CustomFieldsManager", err);
	if (rc == 0)
		rc = vs_get_props(&o, c, &sc->custom_fields_manager, paths,
		                  err);
	if (rc == 0)
		rc = field_defs_from_prop(out, vs_object_prop(o, "field"),
		                          err);
	vs_object_free(o);
	return rc;
}

/* A field usable on VMs: named name, for VirtualMachine or global. */
static const struct field_def *
field_find(const struct field_defs *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->items[i].name, name) == 0 &&
		    (f->items[i].mo_type[0] == '\0' ||
		     strcmp(f->items[i].mo_type, "VirtualMachine") == 0))
			return &f->items[i];
	}
	return NULL;
}

static int
add_field_def(struct vs_client *c, const char *name, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	int rc;

	rc = vs_soap_request_new(&req, &m, "AddCustomFieldDef",
	                         &sc->custom_fields_manager, err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "name", name);
	vs_soap_add_text(m, "moType", "VirtualMachine");
	rc = vs_client_call(c, req, &resp, &r, err);
	xmlFreeDoc(resp);
	return rc;
}

/* Remembers a field just defined (its key is not needed: setCustomValue
 * names the field). */
static int
field_defs_add(struct field_defs *defs, const char *name,
               struct err *err)
{
	struct field_def *grown;

	grown = realloc(defs->items, (defs->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	defs->items = grown;
	memset(&grown[defs->n], 0, sizeof(grown[defs->n]));
	grown[defs->n].key = -1;
	grown[defs->n].name = strdup(name);
	if (grown[defs->n].name == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	snprintf(grown[defs->n].mo_type, sizeof(grown[defs->n].mo_type),
	         "VirtualMachine");
	defs->n++;
	return 0;
}

/* Makes sure field name exists (defs is re-read after a race). */
static int
ensure_field(struct field_defs *defs, struct vs_client *c, const char *name,
             struct err *err)
{
	struct field_defs fresh;
	struct err e;
	int rc;

	if (field_find(defs, name) != NULL)
		return 0;
	err_clear(&e);
	rc = add_field_def(c, name, &e);
	if (rc == 0) {
		vs_client_logf(c, 0, "custom field %s defined", name);
		return field_defs_add(defs, name, err);
	}
	if (strcmp(e.fault, "DuplicateName") != 0) {
		err_prefix(&e, "AddCustomFieldDef %s", name);
		err_keep_first(err, &e);
		return rc;
	}
	/* defined by a racing process meanwhile, or defined for another
	 * managed object type */
	rc = read_field_defs(&fresh, c, err);
	if (rc != 0)
		return rc;
	field_defs_clear(defs);
	*defs = fresh;
	if (field_find(defs, name) == NULL)
		return err_set(err, ERR_EFAULT, "custom field %s exists "
		               "but not for VMs", name);
	return 0;
}

static int
set_custom_value(struct vs_client *c, const struct vs_moref *vm,
                 const char *name, const char *value, struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct err e;
	int rc;

	err_clear(&e);
	/* the wire name is lower-case; its key is the field's name */
	rc = vs_soap_request_new(&req, &m, "setCustomValue", vm, err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "key", name);
	vs_soap_add_text(m, "value", value);
	rc = vs_client_call(c, req, &resp, &r, &e);
	xmlFreeDoc(resp);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = ERR_ENOTFOUND;
		err_prefix(&e, "setCustomValue %s on %s", name,
		           vm->value);
		err_keep_first(err, &e);
	}
	return rc;
}

int
vs_vm_set_custom_fields(struct vs_client *c, const struct vs_moref *vm,
                        const char *const *names,
                        const char *const *values, size_t n,
                        struct err *err)
{
	struct field_defs defs = { 0 };
	size_t i;
	int rc;

	rc = vs_vm__check_ref(vm, "set custom fields", err);
	if (rc != 0)
		return rc;
	if (n > 0 && (names == NULL || values == NULL))
		return err_set(err, ERR_EINVAL, "set custom fields: bad "
		               "arguments");
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0' ||
		    values[i] == NULL)
			return err_set(err, ERR_EINVAL, "custom field %zu: "
			               "empty name or no value", i);
	}
	if (n == 0)
		return 0;
	rc = read_field_defs(&defs, c, err);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = ensure_field(&defs, c, names[i], err);
		if (rc == 0)
			rc = set_custom_value(c, vm, names[i], values[i], err);
	}
	field_defs_clear(&defs);
	return rc;
}

int
vs_vm_set_custom_field(struct vs_client *c, const struct vs_moref *vm,
                       const char *name, const char *value,
                       struct err *err)
{
	return vs_vm_set_custom_fields(c, vm, &name, &value, 1, err);
}

/* ONE read of the CustomFieldsManager's definitions and the VM's
 * customValue: *vmo and *cfm point into *list (cfm may be NULL: no
 * definitions came back). */
static int
read_defs_and_values(struct vs_objects **list, const struct vs_object **vmo,
                     const struct vs_object **cfm, struct vs_client *c,
                     const struct vs_moref *vm, struct err *err)
{
	static const char *const cfm_paths[] = { "field", NULL };
	static const char *const vm_paths[] = { "customValue", NULL };
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_property_spec ps[2] = {
		{ .type = "CustomFieldsManager", .paths = cfm_paths },
		{ .type = "VirtualMachine", .paths = vm_paths },
	};
	struct vs_object_spec os[2];
	struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = 2, .objects = os,
		          .nobjects = 2 },
	};
	struct err e;
	size_t i;
	int rc;

	*vmo = *cfm = NULL;
	err_clear(&e);
	memset(os, 0, sizeof(os));
	os[0].obj = sc->custom_fields_manager;
	os[1].obj = *vm;
	rc = vs_pc_retrieve(list, c, &q, &e);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = ERR_ENOTFOUND;
		err_keep_first(err, &e);
		return rc;
	}
	for (i = 0; i < (*list)->n; i++) {
		const struct vs_object *o = &(*list)->items[i];

		if (vs_moref_eq(&o->obj, vm))
			*vmo = o;
		else if (vs_moref_eq(&o->obj, &sc->custom_fields_manager))
			*cfm = o;
	}
	if (*vmo == NULL)
		return err_set(err, ERR_ENOTFOUND, "VM %s: not found",
		               vm->value);
	return 0;
}

/* The value of field key in a customValue property (the last entry
 * wins); *found stays NULL when the VM has none. */
static int
custom_value(char **found, const struct vs_prop *p, long long key,
             struct err *err)
{
	struct err ignore;
	xmlNodePtr n;
	long long k;
	char buf[32], *v;

	*found = NULL;
	if (p == NULL || p->kind != VS_PROP_NODE)
		return 0;
	for (n = vs_xml_child(p->node, "CustomFieldValue"); n != NULL;
	     n = vs_xml_next(n, "CustomFieldValue")) {
		err_clear(&ignore);
		if (vs_xml_child_copy(buf, sizeof(buf), n, "key") != 0 ||
		    vs_parse_long(&k, buf, -2147483648LL, 2147483647LL,
		                  &ignore) != 0 || k != key)
			continue;
		v = vs_xml_child_text(n, "value");
		free(*found);
		*found = strdup(v != NULL ? v : "");
		xmlFree(v);
		if (*found == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	return 0;
}

int
vs_vm_get_custom_field(char **out, struct vs_client *c,
                       const struct vs_moref *vm, const char *name,
                       struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_objects *list = NULL;
	struct field_defs defs = { 0 };
	const struct field_def *f;
	const struct vs_object *vmo = NULL, *cfm = NULL;
	char *found = NULL;
	int rc;

	*out = NULL;
	rc = vs_vm__check_ref(vm, "get custom field", err);
	if (rc == 0)
		rc = vs_vm__check_ref(&sc->custom_fields_manager,
		                      "CustomFieldsManager", err);
	if (rc == 0)
		rc = read_defs_and_values(&list, &vmo, &cfm, c, vm, err);
	if (rc == 0)
		rc = field_defs_from_prop(&defs, cfm != NULL ?
		                          vs_object_prop(cfm, "field") : NULL,
		                          err);
	if (rc != 0)
		goto cleanup;
	f = field_find(&defs, name);
	if (f == NULL) {
		rc = err_set(err, ERR_ENOTFOUND, "custom field %s: not "
		             "defined", name);
		goto cleanup;
	}
	rc = custom_value(&found, vs_object_prop(vmo, "customValue"), f->key,
	                  err);
	if (rc == 0 && found == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "VM %s: custom field %s "
		             "not set", vm->value, name);
	if (rc == 0) {
		*out = found;
		found = NULL;
	}
cleanup:
	free(found);
	field_defs_clear(&defs);
	vs_objects_free(list);
	return rc;
}
