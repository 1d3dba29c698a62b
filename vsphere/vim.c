/*
 * vsphere/vim.c: typed VIM values, reading side: the shared readers of
 * simple children, scalars, faults, ObjectContent and TaskInfo.  Devices
 * are read in vim_device.c, lease info and datastore summaries in
 * vim_info.c (vim_int.h: what they share); the writing side is in
 * vim_spec.c.
 *
 * Every reply is hostile input: a missing required field or a value of
 * the wrong shape gives ERR_EPARSE, never a crash or a silent default.
 */
#include "vsphere/vim_int.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"

/* --- small helpers --------------------------------------------------- */

static bool
has_element_child(xmlNodePtr n)
{
	return vs_xml_first_elem(n) != NULL;
}

/* Text of a simple element as a malloc'd string; ERR_EPARSE when it has
 * element children (a complex value where a string belongs). */
static int
node_text(char **out, xmlNodePtr n, const char *what, struct err *err)
{
	xmlChar *t;

	*out = NULL;
	if (has_element_child(n))
		return err_set(err, ERR_EPARSE,
		               "%s: expected a simple value", what);
	/* An element's content is never NULL but out of memory: that must
	 * not read as an empty value. */
	t = xmlNodeGetContent(n);
	*out = t != NULL ? strdup((const char *)t) : NULL;
	xmlFree(t);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
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
	return *out == NULL ? ERR_ENOMEM : 0;
}

/* Child name's text: *out NULL when the child is absent and !required. */
int
vs_vim__child_text(char **out, xmlNodePtr parent, const char *name,
                   bool required, struct err *err)
{
	xmlNodePtr n;

	*out = NULL;
	n = vs_xml_child(parent, name);
	if (n == NULL) {
		if (required)
			return err_set(err, ERR_EPARSE,
			               "missing <%s> in <%s>", name,
			               (const char *)parent->name);
		return 0;
	}
	return node_text(out, n, name, err);
}

/* Child name as an integer in [min, max]; *present false when absent. */
int
vs_vim__child_long(long long *out, bool *present, xmlNodePtr parent,
                   const char *name, long long min, long long max,
                   struct err *err)
{
	char *s = NULL;
	int rc;

	*out = 0;
	rc = vs_vim__child_text(&s, parent, name, present == NULL, err);
	if (rc < 0)
		goto cleanup;
	if (present != NULL)
		*present = s != NULL;
	if (s == NULL)
		goto cleanup;
	rc = vs_parse_long(out, s, min, max, err);
	if (rc < 0)
		err_prefix(err, "<%s>", name);
cleanup:
	free(s);
	return rc;
}

int
vs_vim__child_bool(bool *out, bool *present, xmlNodePtr parent,
                   const char *name, struct err *err)
{
	char *s = NULL;
	int rc;

	*out = false;
	rc = vs_vim__child_text(&s, parent, name, present == NULL, err);
	if (rc < 0)
		goto cleanup;
	if (present != NULL)
		*present = s != NULL;
	if (s == NULL)
		goto cleanup;
	rc = vs_parse_bool(out, s, err);
	if (rc < 0)
		err_prefix(err, "<%s>", name);
cleanup:
	free(s);
	return rc;
}

int
vs_vim__child_moref(struct vs_moref *out, bool *present, xmlNodePtr parent,
                    const char *name, struct err *err)
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
		return err_set(err, ERR_EPARSE, "missing <%s> in <%s>",
		               name, (const char *)parent->name);
	}
	if (has_element_child(n))
		return err_set(err, ERR_EPARSE,
		               "<%s>: expected a managed object reference",
		               name);
	rc = vs_xml_moref(out, n, err);
	if (rc < 0)
		err_prefix(err, "<%s>", name);
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
              struct err *err)
{
	const char *p;
	char *end = NULL;
	long long v;

	*out = 0;
	if (s == NULL || s[0] == '\0')
		return err_set(err, ERR_EPARSE, "empty number");
	p = s[0] == '-' ? s + 1 : s;
	if (*p < '0' || *p > '9')
		return err_set(err, ERR_EPARSE, "not a number");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == NULL || *end != '\0')
		return err_set(err, ERR_EPARSE, "not a number");
	if (errno == ERANGE || v < min || v > max)
		return err_set(err, ERR_EPARSE, "number out of range");
	*out = v;
	return 0;
}

int
vs_parse_bool(bool *out, const char *s, struct err *err)
{
	*out = false;
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)) {
		*out = true;
		return 0;
	}
	if (s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0))
		return 0;
	return err_set(err, ERR_EPARSE, "not a boolean");
}

int
vs_parse_word(int *out, const struct word *table, size_t n, const char *s,
              const char *what, struct err *err)
{
	*out = 0;
	if (word_value(out, table, n, s) < 0)
		return err_set(err, ERR_EPARSE, "unknown %s", what);
	return 0;
}

int
vs_lmf_from_node(struct vs_fault *out, xmlNodePtr lmf, struct err *err)
{
	xmlNodePtr inner;
	char *msg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	inner = vs_xml_child(lmf, "fault");
	if (inner == NULL)
		return err_set(err, ERR_EPARSE,
		               "LocalizedMethodFault without <fault>");
	vs_xml_xsi_type(out->type, sizeof(out->type), inner);
	if (out->type[0] == '\0')
		return err_set(err, ERR_EPARSE,
		               "LocalizedMethodFault without a fault "
		               "type");
	rc = vs_vim__child_text(&msg, lmf, "localizedMessage", false, err);
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

static void
object_clear(void *o)
{
	vs_object_clear(o);
}

void
vs_objects_free(struct vs_objects *list)
{
	if (list == NULL)
		return;
	array_free(list->items, list->n, sizeof(*list->items), object_clear);
	free(list);
}

static int
read_morefs(struct vs_prop *p, xmlNodePtr val, struct err *err)
{
	size_t n = vs_xml_count_elems(val);
	xmlNodePtr k;
	int rc;

	if (n > MAX_LIST)
		return err_set(err, ERR_EPARSE, "list too long");
	p->kind = VS_PROP_MOREFS;
	if (n == 0)
		return 0;
	p->refs = calloc(n, sizeof(*p->refs));
	if (p->refs == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (k = val->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (has_element_child(k))
			return err_set(err, ERR_EPARSE,
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
          struct err *err)
{
	xmlNodePtr root, copy;

	if (o->doc == NULL) {
		o->doc = xmlNewDoc(BAD_CAST "1.0");
		if (o->doc == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		root = xmlNewDocNode(o->doc, NULL, BAD_CAST "props", NULL);
		if (root == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		xmlDocSetRootElement(o->doc, root);
	}
	copy = xmlDocCopyNode(val, o->doc, 1);
	if (copy != NULL && !same_node(val, copy, 0)) {
		xmlFreeNode(copy);
		copy = NULL;
	}
	if (copy == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (xmlAddChild(xmlDocGetRootElement(o->doc), copy) == NULL) {
		xmlFreeNode(copy);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	p->kind = VS_PROP_NODE;
	p->node = copy;
	return 0;
}

static int
read_val(struct vs_object *o, struct vs_prop *p, xmlNodePtr val,
         struct err *err)
{
	char type[64];

	vs_xml_xsi_type(type, sizeof(type), val);
	if (strcmp(type, "ManagedObjectReference") == 0) {
		if (has_element_child(val))
			return err_set(err, ERR_EPARSE,
			               "bad ManagedObjectReference");
		p->kind = VS_PROP_MOREF;
		p->refs = calloc(1, sizeof(*p->refs));
		if (p->refs == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		p->nrefs = 1;
		return vs_xml_moref(&p->refs[0], val, err);
	}
	if (strcmp(type, "ArrayOfManagedObjectReference") == 0)
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
             struct err *err)
{
	struct vs_prop *p = &o->props[o->nprops];
	struct vs_fault f;
	xmlNodePtr fn;
	char *path = NULL;
	bool was_set;
	int rc;

	rc = vs_vim__child_text(&path, ms, "path", true, err);
	if (rc < 0)
		goto cleanup;
	fn = vs_xml_child(ms, "fault");
	if (fn == NULL) {
		rc = err_set(err, ERR_EPARSE, "missingSet without fault");
		goto cleanup;
	}
	rc = vs_lmf_from_node(&f, fn, err);
	if (rc < 0)
		goto cleanup;
	if (!in_list(optional, path)) {
		was_set = err_is_set(err);
		rc = err_set(err, ERR_EFAULT, "%s %s: property %s: %s",
		             o->obj.type, o->obj.value, path, f.type);
		if (err != NULL && !was_set)
			copy_str(err->fault, sizeof(err->fault), f.type);
		goto cleanup;
	}
	p->name = path;
	path = NULL;
	p->kind = VS_PROP_MISSING;
	o->nprops++;
	p->text = strdup(f.type);
	if (p->text == NULL)
		rc = err_set(err, ERR_ENOMEM, "out of memory");
cleanup:
	free(path);
	return rc;
}

int
vs_object_from_node(struct vs_object *out, xmlNodePtr objects,
                    const char *const *optional, struct err *err)
{
	size_t nprop, nmiss;
	xmlNodePtr k, val;
	struct vs_prop *p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_vim__child_moref(&out->obj, NULL, objects, "obj", err);
	if (rc < 0)
		goto cleanup;
	nprop = vs_xml_count(objects, "propSet");
	nmiss = vs_xml_count(objects, "missingSet");
	if (nprop > MAX_LIST || nmiss > MAX_LIST) {
		rc = err_set(err, ERR_EPARSE, "too many properties");
		goto cleanup;
	}
	if (nprop + nmiss > 0) {
		out->props = calloc(nprop + nmiss, sizeof(*out->props));
		if (out->props == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = vs_xml_child(objects, "propSet"); k != NULL;
	     k = vs_xml_next(k, "propSet")) {
		p = &out->props[out->nprops];
		rc = vs_vim__child_text(&p->name, k, "name", true, err);
		if (rc < 0)
			goto cleanup;
		out->nprops++;
		val = vs_xml_child(k, "val");
		if (val == NULL) {
			rc = err_set(err, ERR_EPARSE,
			             "propSet %s without <val>", p->name);
			goto cleanup;
		}
		rc = read_val(out, p, val, err);
		if (rc < 0) {
			err_prefix(err, "property %s", p->name);
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

/* The text of a child list that is exactly one text node, else NULL. */
static const char *
only_text(xmlNodePtr first)
{
	if (first == NULL || first->next != NULL ||
	    first->type != XML_TEXT_NODE)
		return NULL;
	return (const char *)first->content;
}

void
vs_object_peek(const char **type, const char **name, xmlNodePtr objects)
{
	xmlNodePtr obj = vs_xml_child(objects, "obj"), k, n;
	xmlAttrPtr a;
	const char *pn;

	*type = NULL;
	*name = NULL;
	for (a = obj != NULL ? obj->properties : NULL; a != NULL; a = a->next) {
		if (a->ns == NULL && xmlStrEqual(a->name, BAD_CAST "type"))
			*type = only_text(a->children);
	}
	if (vs_xml_child(objects, "missingSet") != NULL)
		return;
	for (k = vs_xml_child(objects, "propSet"); k != NULL;
	     k = vs_xml_next(k, "propSet")) {
		n = vs_xml_child(k, "name");
		pn = n != NULL ? only_text(n->children) : NULL;
		if (pn != NULL && strcmp(pn, "name") == 0) {
			n = vs_xml_child(k, "val");
			*name = n != NULL ? only_text(n->children) : NULL;
			return;
		}
	}
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
     int kind, struct err *err)
{
	const struct vs_prop *p = vs_object_prop(o, name);

	*out = NULL;
	if (p == NULL || p->kind == VS_PROP_MISSING)
		return err_set(err, ERR_ENOTFOUND, "%s %s: %s is not set",
		               o->obj.type, o->obj.value, name);
	if (p->kind != kind)
		return err_set(err, ERR_EPARSE,
		               "%s %s: %s is %s, not %s", o->obj.type,
		               o->obj.value, name, kind_name(p->kind),
		               kind_name(kind));
	*out = p;
	return 0;
}

/* rc from parsing o's property name: an error says which property. */
static int
where_parsed(int rc, const struct vs_object *o, const char *name,
             struct err *err)
{
	if (rc < 0)
		err_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		           name);
	return rc;
}

int
vs_object_get_str(const char **out, const struct vs_object *o,
                  const char *name, struct err *err)
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
                   const char *name, struct err *err)
{
	const struct vs_prop *p;
	int rc;

	*out = 0;
	rc = want(&p, o, name, VS_PROP_TEXT, err);
	if (rc < 0)
		return rc;
	rc = vs_parse_long(out, p->text, LLONG_MIN, LLONG_MAX, err);
	return where_parsed(rc, o, name, err);
}

int
vs_object_get_bool(bool *out, const struct vs_object *o, const char *name,
                   struct err *err)
{
	const struct vs_prop *p;
	int rc;

	*out = false;
	rc = want(&p, o, name, VS_PROP_TEXT, err);
	if (rc < 0)
		return rc;
	rc = vs_parse_bool(out, p->text, err);
	return where_parsed(rc, o, name, err);
}

int
vs_object_get_moref(struct vs_moref *out, const struct vs_object *o,
                    const char *name, struct err *err)
{
	const struct vs_prop *p;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = want(&p, o, name, VS_PROP_MOREF, err);
	if (rc == 0)
		*out = p->refs[0];
	return rc;
}

int
vs_object_get_morefs(const struct vs_moref **out, size_t *n_out,
                     const struct vs_object *o, const char *name,
                     struct err *err)
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
                   const char *name, struct err *err)
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
                    const char *name, struct err *err)
{
	xmlNodePtr n;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_object_get_node(&n, o, name, err);
	if (rc < 0)
		return rc;
	rc = vs_lmf_from_node(out, n, err);
	return where_parsed(rc, o, name, err);
}

/* --- TaskInfo -------------------------------------------------------- */

int
vs_task_state_parse(int *out, const char *s, struct err *err)
{
	static const struct word states[] = {
		{ "queued", VS_TASK_QUEUED },
		{ "running", VS_TASK_RUNNING },
		{ "success", VS_TASK_SUCCESS },
		{ "error", VS_TASK_ERROR },
	};

	return vs_parse_word(out, states, WORDS_N(states), s, "task state",
	                     err);
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
task_state(struct vs_task_info *ti, xmlNodePtr val, struct err *err)
{
	char *s = NULL;
	int rc;

	if (val == NULL)
		return err_set(err, ERR_EPARSE, "info.state is unset");
	rc = node_text(&s, val, "info.state", err);
	if (rc == 0)
		rc = vs_task_state_parse(&ti->state, s, err);
	free(s);
	return rc;
}

static int
task_error(struct vs_task_info *ti, xmlNodePtr val, struct err *err)
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
task_result(struct vs_task_info *ti, xmlNodePtr val, struct err *err)
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
			return err_set(err, ERR_EPARSE,
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
                   struct err *err)
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
		return err_set(err, ERR_EPARSE, "task info is unset");
	rc = task_state(ti, vs_xml_child(val, "state"), err);
	if (rc == 0)
		rc = task_error(ti, vs_xml_child(val, "error"), err);
	if (rc == 0)
		rc = task_result(ti, vs_xml_child(val, "result"), err);
	return rc;
}
