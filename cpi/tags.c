/*
 * cpi/tags.c: the `tags` VM cloud property (cpi/tags.h): checked, then
 * attached through vsphere/rest.h; the vAPI JSON is read and written
 * here.
 */
#include "cpi/tags.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/config.h"
#include "cpi/dispatch.h"
#include "cpi/log.h"
#include "cpi/methods.h"
#include "vsphere/rest.h"

#define MAX_TAGS 64
#define CATEGORY_PATH "/com/vmware/cis/tagging/category"
#define TAG_PATH "/com/vmware/cis/tagging/tag"
#define ASSOC_PATH "/com/vmware/cis/tagging/tag-association"

void
cpi_tags_clear(struct cpi_tags *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].category);
		free(t->v[i].tag);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/* A malloc'd copy of s without leading and trailing blanks ("" when
 * s is NULL); NULL when out of memory. */
static char *
trimmed(const char *s)
{
	size_t n;
	char *t;

	if (s == NULL)
		s = "";
	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	t = malloc(n + 1);
	if (t != NULL) {
		memcpy(t, s, n);
		t[n] = '\0';
	}
	return t;
}

int
cpi_tags_parse(struct cpi_tags *out, const json_t *v, struct err *err)
{
	const json_t *e;
	struct cpi_tag *t;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.tags must be "
		                   "an array of {\"category\": NAME, \"tag\": "
		                   "NAME}");
	if (json_array_size(v) > MAX_TAGS)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.tags has %zu "
		                   "entries, at most %d are supported",
		                   json_array_size(v), MAX_TAGS);
	if (json_array_size(v) == 0)
		return 0;
	out->v = calloc(json_array_size(v), sizeof(*out->v));
	if (out->v == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	json_array_foreach(v, i, e) {
		t = &out->v[out->n++];
		t->category = trimmed(cpi_json_text(json_object_get(e,
		                                                    "category")));
		t->tag = trimmed(cpi_json_text(json_object_get(e, "tag")));
		if (t->category == NULL || t->tag == NULL)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "out of memory");
		if (!json_is_object(e) || t->category[0] == '\0' ||
		    t->tag[0] == '\0')
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties.tags"
			                   "[%zu] must be {\"category\": NAME, "
			                   "\"tag\": NAME} with non-empty "
			                   "strings", i);
	}
	return 0;
}

/* --- attaching ------------------------------------------------------ */

struct tagger {
	struct vs_rest *s;
	struct cpi_log *log;
	const char *vm;            /* the VM's moref value */
	json_t *category_ids;      /* the category list */
	json_t *read;              /* id -> category or tag read (cache) */
};

/* One exchange with a JSON body (or none); *value: a new reference to
 * the reply's "value", NULL when it has none. */
static int
call_json(json_t **value, struct tagger *t, const char *method,
          const char *path, const json_t *body, const char *op,
          struct err *err)
{
	char *text = NULL, *reply = NULL;
	json_t *doc = NULL;
	json_error_t jerr;
	size_t len = 0;
	int rc;

	*value = NULL;
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		if (text == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	rc = vs_rest_call(&reply, &len, t->s, method, path, text, op, err);
	free(text);
	if (rc == 0 && len > 0) {
		doc = json_loadb(reply, len, 0, &jerr);
		if (doc == NULL)
			rc = err_set(err, ERR_EPARSE, "REST %s: the reply "
			             "is not JSON: %s", op, jerr.text);
	}
	if (json_is_object(doc)) {
		*value = json_object_get(doc, "value");
		json_incref(*value);
	}
	json_decref(doc);
	free(reply);
	return rc;
}

/* The category or tag id read (GET prefix + id), once per call. */
static int
read_once(const json_t **out, struct tagger *t, const char *prefix,
          const char *id, const char *op, struct err *err)
{
	json_t *v = json_object_get(t->read, id);
	char *path = NULL;
	int rc;

	*out = v;
	if (v != NULL)
		return 0;
	rc = vs_rest_path(&path, prefix, id, "", err);
	if (rc == 0)
		rc = call_json(&v, t, "GET", path, NULL, op, err);
	free(path);
	if (rc != 0)
		return rc;
	if (!json_is_object(v)) {
		json_decref(v);
		v = json_object();
	}
	if (json_object_set_new(t->read, id, v) != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	*out = json_object_get(t->read, id);
	return 0;
}

/* The first of ids (read with GET prefix + id) whose name is name:
 * *id_out (NULL when none) and what was read. */
static int
find_named(const char **id_out, const json_t **info, struct tagger *t,
           const json_t *ids, const char *prefix, const char *name,
           const char *op, struct err *err)
{
	const json_t *idv;
	const char *id, *n;
	size_t i;
	int rc;

	*id_out = NULL;
	*info = NULL;
	json_array_foreach(ids, i, idv) {
		id = cpi_json_text(idv);
		if (id == NULL)
			continue;
		rc = read_once(info, t, prefix, id, op, err);
		if (rc != 0)
			return rc;
		n = cpi_json_text(json_object_get(*info, "name"));
		if (n != NULL && strcmp(n, name) == 0) {
			*id_out = id;
			return 0;
		}
	}
	*info = NULL;
	return 0;
}

/* Ruby's vm_association?: no associable types, or VirtualMachine. */
static bool
vm_associable(const json_t *category)
{
	const json_t *types = json_object_get(category, "associable_types");
	const json_t *v;
	const char *s;
	size_t i;

	if (!json_is_array(types) || json_array_size(types) == 0)
		return true;
	json_array_foreach(types, i, v) {
		s = cpi_json_text(v);
		if (s != NULL && strcmp(s, "VirtualMachine") == 0)
			return true;
	}
	return false;
}

/* {"object_id": {"id": VM, "type": "VirtualMachine"}} */
static json_t *
object_body(const struct tagger *t)
{
	return json_pack("{s:{s:s,s:s}}", "object_id", "id", t->vm, "type",
	                 "VirtualMachine");
}

/* The tags of one category attached: one, or several at once. */
static int
attach(struct tagger *t, const json_t *tag_ids, const char *category,
       const json_t *info, struct err *err)
{
	const char *card = cpi_json_text(json_object_get(info, "cardinality"));
	json_t *body = object_body(t), *v = NULL;
	char *path = NULL;
	int rc;

	if (body == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (json_array_size(tag_ids) == 1) {
		rc = vs_rest_path(&path, ASSOC_PATH "/id:",
		                  cpi_json_text(json_array_get(tag_ids, 0)),
		                  "?~action=attach", err);
		if (rc == 0)
			rc = call_json(&v, t, "POST", path, body,
			               "rest-tag-attach", err);
	} else if (card != NULL && strcmp(card, "SINGLE") == 0) {
		cpi_log_warn(t->log, "create_vm: tags: tag category '%s' does "
		             "not support 'Multiple Cardinality', skip tagging "
		             "this category to vm", category);
		rc = 0;
	} else {
		rc = json_object_set(body, "tag_ids", (json_t *)tag_ids) == 0 ?
		     0 : err_set(err, ERR_ENOMEM, "out of memory");
		if (rc == 0)
			rc = call_json(&v, t, "POST", ASSOC_PATH "?~action="
			               "attach-multiple-tags-to-object", body,
			               "rest-tag-attach-multiple", err);
		if (rc == 0 && json_is_false(json_object_get(v, "success")))
			cpi_log_warn(t->log, "create_vm: tags: vCenter did not "
			             "attach every tag of category '%s'",
			             category);
	}
	free(path);
	json_decref(v);
	json_decref(body);
	return rc;
}

/* Whether tags->v[k]'s category (and, with tag, its tag) came before
 * k. */
static bool
seen_before(const struct cpi_tags *tags, size_t k, bool tag)
{
	size_t i;

	for (i = 0; i < k; i++) {
		if (strcmp(tags->v[i].category, tags->v[k].category) == 0 &&
		    (!tag || strcmp(tags->v[i].tag, tags->v[k].tag) == 0))
			return true;
	}
	return false;
}

/* The ids of the tags of category first's category (listed from the
 * category cat_id) that the cloud properties name, in their order,
 * each once; the others are warned about. */
static int
wanted_tags(json_t *wanted, struct tagger *t, const struct cpi_tags *tags,
            size_t first, const char *cat_id, struct err *err)
{
	const char *category = tags->v[first].category, *id;
	const json_t *info;
	json_t *ids = NULL;
	char *path = NULL;
	bool dup = false;
	size_t k;
	int rc;

	rc = vs_rest_path(&path, TAG_PATH "/id:", cat_id,
	                  "?~action=list-tags-for-category", err);
	if (rc == 0)
		rc = call_json(&ids, t, "POST", path, NULL, "rest-tag-list",
		               err);
	for (k = first; rc == 0 && k < tags->n; k++) {
		if (strcmp(tags->v[k].category, category) != 0)
			continue;
		if (seen_before(tags, k, true)) {
			dup = true;
			continue;
		}
		rc = find_named(&id, &info, t, ids, TAG_PATH "/id:",
		                tags->v[k].tag, "rest-tag-get", err);
		if (rc == 0 && id == NULL)
			cpi_log_warn(t->log, "create_vm: tags: unable to "
			             "locate tag with name '%s' in category "
			             "'%s' on vCenter, skip attaching this tag",
			             tags->v[k].tag, category);
		else if (rc == 0 && json_array_append_new(wanted,
		                                          json_string(id)) != 0)
			rc = err_set(err, ERR_ENOMEM, "out of memory");
	}
	if (dup)
		cpi_log_warn(t->log, "create_vm: tags: duplicated tags found "
		             "in tag category '%s', deduplicated and continue",
		             category);
	free(path);
	json_decref(ids);
	return rc;
}

/* The tags of tags->v[first]'s category. */
static int
tag_category(struct tagger *t, const struct cpi_tags *tags, size_t first,
             struct err *err)
{
	const char *category = tags->v[first].category, *cat_id;
	const json_t *info;
	json_t *wanted;
	int rc;

	rc = find_named(&cat_id, &info, t, t->category_ids,
	                CATEGORY_PATH "/id:", category, "rest-category-get",
	                err);
	if (rc != 0)
		return rc;
	if (cat_id == NULL) {
		cpi_log_warn(t->log, "create_vm: tags: unable to locate "
		             "category with name '%s' on vCenter, skip "
		             "attaching this category", category);
		return 0;
	}
	if (!vm_associable(info)) {
		cpi_log_warn(t->log, "create_vm: tags: tag category '%s' is "
		             "not associated with object type: 'Virtual "
		             "Machine', skip attaching this category to vm",
		             category);
		return 0;
	}
	wanted = json_array();
	if (wanted == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = wanted_tags(wanted, t, tags, first, cat_id, err);
	if (rc == 0 && json_array_size(wanted) == 0)
		cpi_log_warn(t->log, "create_vm: tags: none of the provided "
		             "tags exist for the category '%s' on vCenter",
		             category);
	else if (rc == 0)
		rc = attach(t, wanted, category, info, err);
	json_decref(wanted);
	return rc;
}

/* Every category in turn; a failure is a warning naming it. */
static void
tag_all(struct tagger *t, const struct cpi_tags *tags)
{
	struct err err;
	size_t k;

	for (k = 0; k < tags->n; k++) {
		if (seen_before(tags, k, false))
			continue;
		err_clear(&err);
		if (tag_category(t, tags, k, &err) != 0)
			cpi_log_warn(t->log, "create_vm: tags: category '%s': "
			             "%s", tags->v[k].category, err.message);
	}
}

void
cpi_tags_attach(struct vs_client *c, const char *vm,
                const struct cpi_tags *tags, const char *vm_name,
                const struct cpi_call *call)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct cpi_log *log = call->log;
	struct tagger t;
	struct err err;
	int rc;

	if (tags == NULL || tags->n == 0)
		return;
	memset(&t, 0, sizeof(t));
	err_clear(&err);
	t.log = log;
	t.vm = vm;
	cpi_log_info(log, "create_vm: tags: attaching tags to vm '%s'",
	             vm_name);
	t.read = json_object();
	if (t.read == NULL)
		rc = err_set(&err, ERR_ENOMEM, "out of memory");
	else
		rc = vs_rest_login(&t.s, c, vc->user, vc->password, &err);
	if (rc == 0)
		rc = call_json(&t.category_ids, &t, "GET", CATEGORY_PATH, NULL,
		               "rest-category-list", &err);
	if (rc == 0 && json_array_size(t.category_ids) == 0)
		cpi_log_warn(log, "create_vm: tags: no category exists on "
		             "vCenter, skip attaching tags");
	else if (rc == 0)
		tag_all(&t, tags);
	if (rc != 0)
		cpi_log_warn(log, "create_vm: tags: unable to attach tags: %s",
		             err.message);
	err_clear(&err);
	if (vs_rest_logout(t.s, &err) != 0)
		cpi_log_warn(log, "create_vm: tags: ending the vAPI session: "
		             "%s", err.message);
	cpi_log_info(log, "create_vm: tags: attaching tags to vm '%s' "
	             "finished", vm_name);
	json_decref(t.category_ids);
	json_decref(t.read);
}
