/*
 * vsphere/vim.c: typed VIM values, reading side (ObjectContent, TaskInfo,
 * devices, lease info, datastore summary).  The writing side is in
 * vim_spec.c.
 *
 * Every reply is hostile input: a missing required field or a value of
 * the wrong shape gives VS_EPARSE, never a crash or a silent default.
 */
#include "vsphere/vim.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Caps on list lengths read from a reply (the client already caps the
 * reply size; these keep a hostile reply from asking for absurd arrays). */
#define MAX_LIST 100000

/* --- small helpers --------------------------------------------------- */

static bool
has_element_child(xmlNodePtr n)
{
	xmlNodePtr k;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE)
			return true;
	}
	return false;
}

static size_t
count_children(xmlNodePtr parent, const char *name)
{
	size_t n = 0;
	xmlNodePtr k;

	for (k = vs_xml_child(parent, name); k != NULL;
	     k = vs_xml_next(k, name))
		n++;
	return n;
}

/* Text of a simple element as a malloc'd string; VS_EPARSE when it has
 * element children (a complex value where a string belongs). */
static int
node_text(char **out, xmlNodePtr n, const char *what, struct vs_error *err)
{
	xmlChar *t;

	*out = NULL;
	if (has_element_child(n))
		return vs_error_set(err, VS_EPARSE,
		                    "%s: expected a simple value", what);
	/* An element's content is never NULL but out of memory: that must
	 * not read as an empty value. */
	t = xmlNodeGetContent(n);
	*out = t != NULL ? strdup((const char *)t) : NULL;
	xmlFree(t);
	if (*out == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	return 0;
}

int
vs_vim_opt_text(char **out, xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = vs_xml_child(parent, name);

	*out = NULL;
	if (n == NULL)
		return 0;
	*out = (char *)xmlNodeGetContent(n);
	return *out == NULL ? VS_ENOMEM : 0;
}

/* Child name's text: *out NULL when the child is absent and !required. */
static int
child_text(char **out, xmlNodePtr parent, const char *name, bool required,
           struct vs_error *err)
{
	xmlNodePtr n;

	*out = NULL;
	n = vs_xml_child(parent, name);
	if (n == NULL) {
		if (required)
			return vs_error_set(err, VS_EPARSE,
			                    "missing <%s> in <%s>", name,
			                    (const char *)parent->name);
		return 0;
	}
	return node_text(out, n, name, err);
}

/* Child name as an integer in [min, max]; *present false when absent. */
static int
child_long(long long *out, bool *present, xmlNodePtr parent,
           const char *name, long long min, long long max,
           struct vs_error *err)
{
	char *s = NULL;
	int rc;

	*out = 0;
	rc = child_text(&s, parent, name, present == NULL, err);
	if (rc < 0)
		goto cleanup;
	if (present != NULL)
		*present = s != NULL;
	if (s == NULL)
		goto cleanup;
	rc = vs_parse_long(out, s, min, max, err);
	if (rc < 0)
		vs_error_prefix(err, "<%s>", name);
cleanup:
	free(s);
	return rc;
}

static int
child_bool(bool *out, bool *present, xmlNodePtr parent, const char *name,
           struct vs_error *err)
{
	char *s = NULL;
	int rc;

	*out = false;
	rc = child_text(&s, parent, name, present == NULL, err);
	if (rc < 0)
		goto cleanup;
	if (present != NULL)
		*present = s != NULL;
	if (s == NULL)
		goto cleanup;
	rc = vs_parse_bool(out, s, err);
	if (rc < 0)
		vs_error_prefix(err, "<%s>", name);
cleanup:
	free(s);
	return rc;
}

static int
child_moref(struct vs_moref *out, bool *present, xmlNodePtr parent,
            const char *name, struct vs_error *err)
{
	xmlNodePtr n;
	int rc;

	memset(out, 0, sizeof(*out));
	n = vs_xml_child(parent, name);
	if (present != NULL)
		*present = n != NULL;
	if (n == NULL) {
		if (present != NULL)
			return 0;
		return vs_error_set(err, VS_EPARSE, "missing <%s> in <%s>",
		                    name, (const char *)parent->name);
	}
	if (has_element_child(n))
		return vs_error_set(err, VS_EPARSE,
		                    "<%s>: expected a managed object reference",
		                    name);
	rc = vs_xml_moref(out, n, err);
	if (rc < 0)
		vs_error_prefix(err, "<%s>", name);
	return rc;
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* --- scalars and faults ---------------------------------------------- */

int
vs_parse_long(long long *out, const char *s, long long min, long long max,
              struct vs_error *err)
{
	const char *p;
	char *end = NULL;
	long long v;

	*out = 0;
	if (s == NULL || s[0] == '\0')
		return vs_error_set(err, VS_EPARSE, "empty number");
	p = s[0] == '-' ? s + 1 : s;
	if (*p < '0' || *p > '9')
		return vs_error_set(err, VS_EPARSE, "not a number");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == NULL || *end != '\0')
		return vs_error_set(err, VS_EPARSE, "not a number");
	if (errno == ERANGE || v < min || v > max)
		return vs_error_set(err, VS_EPARSE, "number out of range");
	*out = v;
	return 0;
}

int
vs_parse_bool(bool *out, const char *s, struct vs_error *err)
{
	*out = false;
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)) {
		*out = true;
		return 0;
	}
	if (s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0))
		return 0;
	return vs_error_set(err, VS_EPARSE, "not a boolean");
}

int
vs_lmf_from_node(struct vs_fault *out, xmlNodePtr lmf, struct vs_error *err)
{
	xmlNodePtr inner;
	char *msg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	inner = vs_xml_child(lmf, "fault");
	if (inner == NULL)
		return vs_error_set(err, VS_EPARSE,
		                    "LocalizedMethodFault without <fault>");
	vs_xml_xsi_type(out->type, sizeof(out->type), inner);
	if (out->type[0] == '\0')
		return vs_error_set(err, VS_EPARSE,
		                    "LocalizedMethodFault without a fault "
		                    "type");
	rc = child_text(&msg, lmf, "localizedMessage", false, err);
	if (rc < 0)
		return rc;
	if (msg != NULL)
		copy_str(out->localized, sizeof(out->localized), msg);
	free(msg);
	return 0;
}

/* --- ObjectContent --------------------------------------------------- */

void
vs_object_clear(struct vs_object *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nprops; i++) {
		free(o->props[i].name);
		free(o->props[i].text);
		free(o->props[i].refs);
	}
	free(o->props);
	if (o->doc != NULL)
		xmlFreeDoc(o->doc);
	memset(o, 0, sizeof(*o));
}

void
vs_object_free(struct vs_object *o)
{
	vs_object_clear(o);
	free(o);
}

void
vs_objects_free(struct vs_objects *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		vs_object_clear(&list->items[i]);
	free(list->items);
	free(list);
}

static int
read_morefs(struct vs_prop *p, xmlNodePtr val, struct vs_error *err)
{
	size_t n = 0;
	xmlNodePtr k;
	int rc;

	for (k = val->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE)
			n++;
	}
	if (n > MAX_LIST)
		return vs_error_set(err, VS_EPARSE, "list too long");
	p->kind = VS_PROP_MOREFS;
	if (n == 0)
		return 0;
	p->refs = calloc(n, sizeof(*p->refs));
	if (p->refs == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	for (k = val->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (has_element_child(k))
			return vs_error_set(err, VS_EPARSE,
			                    "bad ManagedObjectReference");
		rc = vs_xml_moref(&p->refs[p->nrefs], k, err);
		if (rc < 0)
			return rc;
		p->nrefs++;
	}
	return 0;
}

static bool same_list(const xmlNode *a, const xmlNode *b, int depth);

static bool
same_ns(const xmlNs *a, const xmlNs *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->href != NULL && xmlStrEqual(a->href, b->href) &&
	       xmlStrEqual(a->prefix, b->prefix);
}

/* b is a whole copy of a: same names, namespaces, attributes and text
 * all the way down. */
static bool
same_node(const xmlNode *a, const xmlNode *b, int depth)
{
	const xmlAttr *x, *y;

	if (a->type != b->type || depth > 256)
		return false;
	if (a->type != XML_ELEMENT_NODE)
		return a->content != NULL && b->content != NULL &&
		       xmlStrEqual(a->content, b->content);
	if (a->name == NULL || b->name == NULL ||
	    !xmlStrEqual(a->name, b->name) || !same_ns(a->ns, b->ns))
		return false;
	for (x = a->properties, y = b->properties; x != NULL && y != NULL;
	     x = x->next, y = y->next) {
		if (y->name == NULL || !xmlStrEqual(x->name, y->name) ||
		    !same_ns(x->ns, y->ns) ||
		    !same_list(x->children, y->children, depth + 1))
			return false;
	}
	return x == NULL && y == NULL &&
	       same_list(a->children, b->children, depth + 1);
}

static bool
same_list(const xmlNode *a, const xmlNode *b, int depth)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!same_node(a, b, depth))
			return false;
	return a == NULL && b == NULL;
}

/* Keeps a copy of val in o's own document.  libxml2 2.9's copy can come
 * back short when out of memory (children, names or namespaces
 * missing, unreported), so the copy is compared with val. */
static int
keep_node(struct vs_object *o, struct vs_prop *p, xmlNodePtr val,
          struct vs_error *err)
{
	xmlNodePtr root, copy;

	if (o->doc == NULL) {
		o->doc = xmlNewDoc(BAD_CAST "1.0");
		if (o->doc == NULL)
			return vs_error_set(err, VS_ENOMEM, "out of memory");
		root = xmlNewDocNode(o->doc, NULL, BAD_CAST "props", NULL);
		if (root == NULL)
			return vs_error_set(err, VS_ENOMEM, "out of memory");
		xmlDocSetRootElement(o->doc, root);
	}
	copy = xmlDocCopyNode(val, o->doc, 1);
	if (copy != NULL && !same_node(val, copy, 0)) {
		xmlFreeNode(copy);
		copy = NULL;
	}
	if (copy == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	if (xmlAddChild(xmlDocGetRootElement(o->doc), copy) == NULL) {
		xmlFreeNode(copy);
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	}
	p->kind = VS_PROP_NODE;
	p->node = copy;
	return 0;
}

static int
read_val(struct vs_object *o, struct vs_prop *p, xmlNodePtr val,
         struct vs_error *err)
{
	vs_xml_xsi_type(p->xsi_type, sizeof(p->xsi_type), val);
	if (strcmp(p->xsi_type, "ManagedObjectReference") == 0) {
		if (has_element_child(val))
			return vs_error_set(err, VS_EPARSE,
			                    "bad ManagedObjectReference");
		p->kind = VS_PROP_MOREF;
		return vs_xml_moref(&p->ref, val, err);
	}
	if (strcmp(p->xsi_type, "ArrayOfManagedObjectReference") == 0)
		return read_morefs(p, val, err);
	if (!has_element_child(val)) {
		p->kind = VS_PROP_TEXT;
		return node_text(&p->text, val, p->name, err);
	}
	return keep_node(o, p, val, err);
}

static bool
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return true;
	}
	return false;
}

static int
read_missing(struct vs_object *o, xmlNodePtr ms, const char *const *optional,
             struct vs_error *err)
{
	struct vs_prop *p = &o->props[o->nprops];
	struct vs_fault f;
	xmlNodePtr fn;
	char *path = NULL;
	bool was_set;
	int rc;

	rc = child_text(&path, ms, "path", true, err);
	if (rc < 0)
		goto cleanup;
	fn = vs_xml_child(ms, "fault");
	if (fn == NULL) {
		rc = vs_error_set(err, VS_EPARSE, "missingSet without fault");
		goto cleanup;
	}
	rc = vs_lmf_from_node(&f, fn, err);
	if (rc < 0)
		goto cleanup;
	if (!in_list(optional, path)) {
		was_set = vs_error_is_set(err);
		rc = vs_error_set(err, VS_EFAULT, "%s %s: property %s: %s",
		                  o->obj.type, o->obj.value, path, f.type);
		if (err != NULL && !was_set)
			copy_str(err->fault, sizeof(err->fault), f.type);
		goto cleanup;
	}
	p->name = path;
	path = NULL;
	p->kind = VS_PROP_MISSING;
	p->fault = f;
	o->nprops++;
cleanup:
	free(path);
	return rc;
}

int
vs_object_from_node(struct vs_object *out, xmlNodePtr objects,
                    const char *const *optional, struct vs_error *err)
{
	size_t nprop, nmiss;
	xmlNodePtr k, val;
	struct vs_prop *p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = child_moref(&out->obj, NULL, objects, "obj", err);
	if (rc < 0)
		goto cleanup;
	nprop = count_children(objects, "propSet");
	nmiss = count_children(objects, "missingSet");
	if (nprop > MAX_LIST || nmiss > MAX_LIST) {
		rc = vs_error_set(err, VS_EPARSE, "too many properties");
		goto cleanup;
	}
	if (nprop + nmiss > 0) {
		out->props = calloc(nprop + nmiss, sizeof(*out->props));
		if (out->props == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = vs_xml_child(objects, "propSet"); k != NULL;
	     k = vs_xml_next(k, "propSet")) {
		p = &out->props[out->nprops];
		rc = child_text(&p->name, k, "name", true, err);
		if (rc < 0)
			goto cleanup;
		out->nprops++;
		val = vs_xml_child(k, "val");
		if (val == NULL) {
			rc = vs_error_set(err, VS_EPARSE,
			                  "propSet %s without <val>", p->name);
			goto cleanup;
		}
		rc = read_val(out, p, val, err);
		if (rc < 0) {
			vs_error_prefix(err, "property %s", p->name);
			goto cleanup;
		}
	}
	for (k = vs_xml_child(objects, "missingSet"); k != NULL;
	     k = vs_xml_next(k, "missingSet")) {
		rc = read_missing(out, k, optional, err);
		if (rc < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc < 0)
		vs_object_clear(out);
	return rc;
}

const struct vs_prop *
vs_object_prop(const struct vs_object *o, const char *name)
{
	size_t i;

	for (i = 0; o != NULL && i < o->nprops; i++) {
		if (strcmp(o->props[i].name, name) == 0)
			return &o->props[i];
	}
	return NULL;
}

static const char *
kind_name(int kind)
{
	switch (kind) {
	case VS_PROP_TEXT:
		return "a simple value";
	case VS_PROP_MOREF:
		return "a managed object reference";
	case VS_PROP_MOREFS:
		return "a reference list";
	case VS_PROP_NODE:
		return "a complex value";
	default:
		return "missing";
	}
}

/* The prop name of kind `kind`, or an error. */
static int
want(const struct vs_prop **out, const struct vs_object *o, const char *name,
     int kind, struct vs_error *err)
{
	const struct vs_prop *p = vs_object_prop(o, name);

	*out = NULL;
	if (p == NULL || p->kind == VS_PROP_MISSING)
		return vs_error_set(err, VS_ENOTFOUND, "%s %s: %s is not set",
		                    o->obj.type, o->obj.value, name);
	if (p->kind != kind)
		return vs_error_set(err, VS_EPARSE,
		                    "%s %s: %s is %s, not %s", o->obj.type,
		                    o->obj.value, name, kind_name(p->kind),
		                    kind_name(kind));
	*out = p;
	return 0;
}

int
vs_object_get_str(const char **out, const struct vs_object *o,
                  const char *name, struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	*out = NULL;
	rc = want(&p, o, name, VS_PROP_TEXT, err);
	if (rc == 0)
		*out = p->text;
	return rc;
}

int
vs_object_get_long(long long *out, const struct vs_object *o,
                   const char *name, struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	*out = 0;
	rc = want(&p, o, name, VS_PROP_TEXT, err);
	if (rc < 0)
		return rc;
	rc = vs_parse_long(out, p->text, LLONG_MIN, LLONG_MAX, err);
	if (rc < 0)
		vs_error_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		                name);
	return rc;
}

int
vs_object_get_bool(bool *out, const struct vs_object *o, const char *name,
                   struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	*out = false;
	rc = want(&p, o, name, VS_PROP_TEXT, err);
	if (rc < 0)
		return rc;
	rc = vs_parse_bool(out, p->text, err);
	if (rc < 0)
		vs_error_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		                name);
	return rc;
}

int
vs_object_get_moref(struct vs_moref *out, const struct vs_object *o,
                    const char *name, struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = want(&p, o, name, VS_PROP_MOREF, err);
	if (rc == 0)
		*out = p->ref;
	return rc;
}

int
vs_object_get_morefs(const struct vs_moref **out, size_t *n_out,
                     const struct vs_object *o, const char *name,
                     struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = want(&p, o, name, VS_PROP_MOREFS, err);
	if (rc == 0) {
		*out = p->refs;
		*n_out = p->nrefs;
	}
	return rc;
}

int
vs_object_get_node(xmlNodePtr *out, const struct vs_object *o,
                   const char *name, struct vs_error *err)
{
	const struct vs_prop *p;
	int rc;

	*out = NULL;
	rc = want(&p, o, name, VS_PROP_NODE, err);
	if (rc == 0)
		*out = p->node;
	return rc;
}

int
vs_object_get_fault(struct vs_fault *out, const struct vs_object *o,
                    const char *name, struct vs_error *err)
{
	xmlNodePtr n;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_object_get_node(&n, o, name, err);
	if (rc < 0)
		return rc;
	rc = vs_lmf_from_node(out, n, err);
	if (rc < 0)
		vs_error_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		                name);
	return rc;
}

/* --- TaskInfo -------------------------------------------------------- */

int
vs_task_state_parse(int *out, const char *s, struct vs_error *err)
{
	static const struct {
		const char *name;
		int state;
	} states[] = {
		{ "queued", VS_TASK_QUEUED },
		{ "running", VS_TASK_RUNNING },
		{ "success", VS_TASK_SUCCESS },
		{ "error", VS_TASK_ERROR },
	};
	size_t i;

	*out = 0;
	for (i = 0; s != NULL && i < sizeof(states) / sizeof(states[0]);
	     i++) {
		if (strcmp(s, states[i].name) == 0) {
			*out = states[i].state;
			return 0;
		}
	}
	return vs_error_set(err, VS_EPARSE, "unknown task state");
}

void
vs_task_info_clear(struct vs_task_info *ti)
{
	if (ti == NULL)
		return;
	free(ti->result_text);
	memset(ti, 0, sizeof(*ti));
}

static int
task_state(struct vs_task_info *ti, xmlNodePtr val, struct vs_error *err)
{
	char *s = NULL;
	int rc;

	if (val == NULL)
		return vs_error_set(err, VS_EPARSE, "info.state is unset");
	rc = node_text(&s, val, "info.state", err);
	if (rc == 0)
		rc = vs_task_state_parse(&ti->state, s, err);
	free(s);
	return rc;
}

static int
task_error(struct vs_task_info *ti, xmlNodePtr val, struct vs_error *err)
{
	int rc;

	ti->has_error = false;
	memset(&ti->error, 0, sizeof(ti->error));
	if (val == NULL)
		return 0;
	rc = vs_lmf_from_node(&ti->error, val, err);
	if (rc < 0)
		return rc;
	ti->has_error = true;
	return 0;
}

static int
task_result(struct vs_task_info *ti, xmlNodePtr val, struct vs_error *err)
{
	char type[64];
	int rc;

	free(ti->result_text);
	ti->result_text = NULL;
	ti->has_result_moref = false;
	memset(&ti->result_moref, 0, sizeof(ti->result_moref));
	if (val == NULL)
		return 0;
	vs_xml_xsi_type(type, sizeof(type), val);
	if (strcmp(type, "ManagedObjectReference") == 0) {
		if (has_element_child(val))
			return vs_error_set(err, VS_EPARSE,
			                    "bad info.result reference");
		rc = vs_xml_moref(&ti->result_moref, val, err);
		if (rc == 0)
			ti->has_result_moref = true;
		return rc;
	}
	if (has_element_child(val))
		return 0;   /* complex result: left to the caller */
	return node_text(&ti->result_text, val, "info.result", err);
}

int
vs_task_info_apply(struct vs_task_info *ti, const char *name, xmlNodePtr val,
                   struct vs_error *err)
{
	int rc;

	if (strcmp(name, "info.state") == 0)
		return task_state(ti, val, err);
	if (strcmp(name, "info.error") == 0)
		return task_error(ti, val, err);
	if (strcmp(name, "info.result") == 0)
		return task_result(ti, val, err);
	if (strcmp(name, "info") != 0)
		return 0;   /* a property we did not ask for */
	if (val == NULL)
		return vs_error_set(err, VS_EPARSE, "task info is unset");
	rc = task_state(ti, vs_xml_child(val, "state"), err);
	if (rc == 0)
		rc = task_error(ti, vs_xml_child(val, "error"), err);
	if (rc == 0)
		rc = task_result(ti, vs_xml_child(val, "result"), err);
	return rc;
}

/* --- devices ----------------------------------------------------------- */

static void
device_clear(struct vs_device *d)
{
	free(d->label);
	free(d->file_name);
	free(d->device_name);
	free(d->switch_uuid);
	free(d->portgroup_key);
	free(d->mac_address);
	free(d->address_type);
	free(d->disk_mode);
	free(d->disk_uuid);
	free(d->opaque_id);
	memset(d, 0, sizeof(*d));
}

void
vs_devices_free(struct vs_devices *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		device_clear(&d->items[i]);
	free(d->items);
	free(d);
}

static int
device_backing(struct vs_device *d, xmlNodePtr b, struct vs_error *err)
{
	xmlNodePtr port;
	int rc;

	vs_xml_xsi_type(d->backing_type, sizeof(d->backing_type), b);
	if (d->backing_type[0] == '\0')
		return vs_error_set(err, VS_EPARSE, "backing without a type");
	rc = child_text(&d->file_name, b, "fileName", false, err);
	if (rc == 0)
		rc = child_moref(&d->datastore, &d->has_datastore, b,
		                 "datastore", err);
	if (rc == 0)
		rc = child_text(&d->device_name, b, "deviceName", false, err);
	if (rc == 0)
		rc = child_moref(&d->network, &d->has_network, b, "network",
		                 err);
	if (rc == 0)
		rc = child_text(&d->disk_mode, b, "diskMode", false, err);
	if (rc == 0)
		rc = child_text(&d->disk_uuid, b, "uuid", false, err);
	if (rc == 0)
		rc = child_text(&d->opaque_id, b, "opaqueNetworkId", false,
		                err);
	if (rc < 0)
		return rc;
	port = vs_xml_child(b, "port");
	if (port == NULL)
		return 0;
	rc = child_text(&d->switch_uuid, port, "switchUuid", true, err);
	if (rc == 0)
		rc = child_text(&d->portgroup_key, port, "portgroupKey", false,
		                err);
	return rc;
}

static int
device_connectable(struct vs_device *d, xmlNodePtr c, struct vs_error *err)
{
	int rc;

	d->has_connectable = true;
	rc = child_bool(&d->start_connected, NULL, c, "startConnected", err);
	if (rc == 0)
		rc = child_bool(&d->allow_guest_control, NULL, c,
		                "allowGuestControl", err);
	if (rc == 0)
		rc = child_bool(&d->connected, NULL, c, "connected", err);
	return rc;
}

static int
device_from_node(struct vs_device *d, xmlNodePtr n, struct vs_error *err)
{
	long long v;
	xmlNodePtr k;
	int rc;

	vs_xml_xsi_type(d->type, sizeof(d->type), n);
	if (d->type[0] == '\0')
		return vs_error_set(err, VS_EPARSE, "device without a type");
	rc = child_long(&v, NULL, n, "key", INT32_MIN, INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->key = (int)v;
	k = vs_xml_child(n, "deviceInfo");
	if (k != NULL) {
		rc = child_text(&d->label, k, "label", false, err);
		if (rc < 0)
			return rc;
	}
	k = vs_xml_child(n, "backing");
	if (k != NULL) {
		rc = device_backing(d, k, err);
		if (rc < 0)
			return rc;
	}
	k = vs_xml_child(n, "connectable");
	if (k != NULL) {
		rc = device_connectable(d, k, err);
		if (rc < 0)
			return rc;
	}
	rc = child_long(&v, &d->has_controller_key, n, "controllerKey",
	                INT32_MIN, INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->controller_key = (int)v;
	rc = child_long(&v, &d->has_unit_number, n, "unitNumber", INT32_MIN,
	                INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->unit_number = (int)v;
	rc = child_long(&v, &d->has_bus_number, n, "busNumber", 0,
	                INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->bus_number = (int)v;
	k = vs_xml_child(n, "sharedBus");
	if (k != NULL) {
		xmlChar *t = xmlNodeGetContent(k);

		if (t != NULL && xmlStrlen(t) < (int)sizeof(d->shared_bus))
			memcpy(d->shared_bus, t, (size_t)xmlStrlen(t) + 1);
		xmlFree(t);
	}
	rc = child_long(&d->capacity_kb, &d->has_capacity, n, "capacityInKB",
	                0, LLONG_MAX, err);
	if (rc == 0)
		rc = child_text(&d->mac_address, n, "macAddress", false, err);
	if (rc == 0)
		rc = child_text(&d->address_type, n, "addressType", false,
		                err);
	return rc;
}

int
vs_devices_from_node(struct vs_devices **out, xmlNodePtr val,
                     struct vs_error *err)
{
	struct vs_devices *d = NULL;
	size_t n = 0;
	xmlNodePtr k;
	int rc = 0;

	*out = NULL;
	for (k = val->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE)
			n++;
	}
	if (n > MAX_LIST)
		return vs_error_set(err, VS_EPARSE, "device list too long");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	if (n > 0) {
		d->items = calloc(n, sizeof(*d->items));
		if (d->items == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = val->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)k->name, "VirtualDevice") != 0) {
			rc = vs_error_set(err, VS_EPARSE,
			                  "unexpected <%s> in device list",
			                  (const char *)k->name);
			goto cleanup;
		}
		rc = device_from_node(&d->items[d->n], k, err);
		d->n++;
		if (rc < 0) {
			vs_error_prefix(err, "device %zu", d->n);
			goto cleanup;
		}
	}
	*out = d;
	d = NULL;
cleanup:
	vs_devices_free(d);
	return rc;
}

int
vs_object_get_devices(struct vs_devices **out, const struct vs_object *o,
                      const char *name, struct vs_error *err)
{
	const struct vs_prop *p = vs_object_prop(o, name);
	xmlNodePtr n;
	int rc;

	*out = NULL;
	if (p != NULL && p->kind == VS_PROP_TEXT && p->text[0] == '\0') {
		/* an empty ArrayOfVirtualDevice */
		*out = calloc(1, sizeof(**out));
		if (*out == NULL)
			return vs_error_set(err, VS_ENOMEM, "out of memory");
		return 0;
	}
	rc = vs_object_get_node(&n, o, name, err);
	if (rc < 0)
		return rc;
	rc = vs_devices_from_node(out, n, err);
	if (rc < 0)
		vs_error_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		                name);
	return rc;
}

bool
vs_device_is_nic(const struct vs_device *d)
{
	static const char *const nics[] = {
		"VirtualE1000", "VirtualE1000e", "VirtualPCNet32",
		"VirtualVmxnet", "VirtualVmxnet2", "VirtualVmxnet3",
		"VirtualVmxnet3Vrdma", "VirtualSriovEthernetCard",
	};
	size_t i;

	for (i = 0; i < sizeof(nics) / sizeof(nics[0]); i++) {
		if (strcmp(d->type, nics[i]) == 0)
			return true;
	}
	return false;
}

const struct vs_device *
vs_devices_find_key(const struct vs_devices *d, int key)
{
	size_t i;

	for (i = 0; d != NULL && i < d->n; i++) {
		if (d->items[i].key == key)
			return &d->items[i];
	}
	return NULL;
}

/* --- HttpNfcLease ------------------------------------------------------ */

int
vs_lease_state_parse(int *out, const char *s, struct vs_error *err)
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
		return vs_error_set(err, VS_EPARSE, "unknown lease state");
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
lease_url(struct vs_lease_url *u, xmlNodePtr n, struct vs_error *err)
{
	bool present;
	int rc;

	rc = child_text(&u->key, n, "key", true, err);
	if (rc == 0)
		rc = child_text(&u->import_key, n, "importKey", true, err);
	if (rc == 0)
		rc = child_text(&u->url, n, "url", true, err);
	if (rc == 0)
		rc = child_text(&u->target_id, n, "targetId", false, err);
	if (rc == 0)
		rc = child_bool(&u->disk, &present, n, "disk", err);
	return rc;
}

int
vs_lease_info_from_node(struct vs_lease_info **out, xmlNodePtr val,
                        struct vs_error *err)
{
	struct vs_lease_info *li;
	bool present;
	size_t n;
	xmlNodePtr k;
	int rc;

	*out = NULL;
	li = calloc(1, sizeof(*li));
	if (li == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	rc = child_moref(&li->entity, NULL, val, "entity", err);
	if (rc < 0)
		goto cleanup;
	rc = child_long(&li->total_disk_kb, &present, val,
	                "totalDiskCapacityInKB", 0, LLONG_MAX, err);
	if (rc < 0)
		goto cleanup;
	n = count_children(val, "deviceUrl");
	if (n > MAX_LIST) {
		rc = vs_error_set(err, VS_EPARSE, "too many device URLs");
		goto cleanup;
	}
	if (n > 0) {
		li->urls = calloc(n, sizeof(*li->urls));
		if (li->urls == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = vs_xml_child(val, "deviceUrl"); k != NULL;
	     k = vs_xml_next(k, "deviceUrl")) {
		rc = lease_url(&li->urls[li->nurls], k, err);
		li->nurls++;
		if (rc < 0) {
			vs_error_prefix(err, "lease deviceUrl %zu", li->nurls);
			goto cleanup;
		}
	}
	*out = li;
	li = NULL;
cleanup:
	vs_lease_info_free(li);
	return rc;
}

/* --- DatastoreSummary -------------------------------------------------- */

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
                        struct vs_error *err)
{
	struct vs_ds_summary *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	rc = child_moref(&s->datastore, &s->has_datastore, val, "datastore",
	                 err);
	if (rc == 0)
		rc = child_text(&s->name, val, "name", true, err);
	if (rc == 0)
		rc = child_text(&s->url, val, "url", true, err);
	if (rc == 0)
		rc = child_long(&s->capacity, NULL, val, "capacity", 0,
		                LLONG_MAX, err);
	if (rc == 0)
		rc = child_long(&s->free_space, NULL, val, "freeSpace", 0,
		                LLONG_MAX, err);
	if (rc == 0)
		rc = child_bool(&s->accessible, NULL, val, "accessible", err);
	if (rc == 0)
		rc = child_text(&s->type, val, "type", true, err);
	if (rc == 0)
		rc = child_text(&s->maintenance_mode, val, "maintenanceMode",
		                false, err);
	if (rc < 0) {
		vs_error_prefix(err, "datastore summary");
		vs_ds_summary_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
