/*
 * vsphere/create_leftovers.c: the VMs create_vm calls killed midway left
 * behind, still marked VS_CREATE_MARKER (see create.h).
 */
#include "vsphere/create.h"

#include <stdlib.h>
#include <string.h>

#include "vsphere/pc.h"
#include "vsphere/soap.h"

bool
vs_create_marker_parse(long long *out, const char *value)
{
	long long v = 0;
	size_t i;

	if (value == NULL || value[0] == '\0')
		return false;
	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] < '0' || value[i] > '9' || i >= 18)
			return false;
		v = v * 10 + (value[i] - '0');
	}
	*out = v;
	return true;
}

void
vs_leftovers_free(struct vs_leftovers *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	free(l);
}

/* The mark of one VM object: true and *since when marked. */
static bool
object_mark(long long *since, const struct vs_object *o)
{
	const struct vs_prop *p = vs_object_prop(o, "config.extraConfig");
	struct err e;
	xmlNodePtr val, opt;
	bool marked = false;
	char *key, *value;

	if (p == NULL || (p->kind == VS_PROP_TEXT &&
	                  (p->text == NULL || p->text[0] == '\0')))
		return false;
	err_clear(&e);
	if (vs_object_get_node(&val, o, "config.extraConfig", &e) != 0)
		return false;
	for (opt = vs_xml_child(val, "OptionValue"); opt != NULL;
	     opt = vs_xml_next(opt, "OptionValue")) {
		key = vs_xml_child_text(opt, "key");
		if (key != NULL && strcmp(key, VS_CREATE_MARKER) == 0) {
			value = vs_xml_child_text(opt, "value");
			/* the last entry wins; "" or garbage: no mark */
			marked = vs_create_marker_parse(since, value);
			xmlFree(value);
		}
		xmlFree(key);
	}
	return marked;
}

int
vs_create_leftovers(struct vs_leftovers **out, struct vs_client *c,
                    const struct vs_moref *folder, long long now,
                    long long grace_s, struct err *err)
{
	static const char *const paths[] = {
		"name", "config.extraConfig", NULL,
	};
	struct vs_objects *list = NULL;
	struct vs_leftovers *l = NULL;
	struct err e;
	const char *name;
	long long since;
	size_t i;
	int rc;

	*out = NULL;
	if (folder == NULL || folder->value[0] == '\0' || grace_s < 0)
		return err_set(err, ERR_EINVAL, "leftovers: bad "
		               "arguments");
	rc = vs_pc_list(&list, c, folder, "VirtualMachine", paths, err);
	if (rc != 0)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l != NULL && list->n > 0)
		l->items = calloc(list->n, sizeof(*l->items));
	if (l == NULL || (list->n > 0 && l->items == NULL)) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		const struct vs_object *o = &list->items[i];
		struct vs_leftover *it = &l->items[l->n];

		if (!object_mark(&since, o) || since > now - grace_s)
			continue;
		err_clear(&e);
		if (vs_object_get_str(&name, o, "name", &e) != 0)
			name = o->obj.value;
		it->vm = o->obj;
		it->since = since;
		it->name = strdup(name);
		if (it->name == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
		l->n++;
	}
	*out = l;
	l = NULL;
cleanup:
	vs_leftovers_free(l);
	vs_objects_free(list);
	return rc;
}
